#!/usr/bin/env python3
"""Draws assets/icon.png (the window icon: a small dependency graph), 256x256 RGBA.

Plain Python (zlib and struct only), so that the icon can be redrawn anywhere:
    python3 assets/make_icon.py
"""
import math, os, struct, zlib
W=H=256
def clamp(x): return max(0.0,min(1.0,x))
def rrect_sd(px,py,x0,y0,x1,y1,r):
    cx,cy=(x0+x1)/2,(y0+y1)/2; hx,hy=(x1-x0)/2-r,(y1-y0)/2-r
    qx,qy=abs(px-cx)-hx,abs(py-cy)-hy
    return math.hypot(max(qx,0),max(qy,0))+min(max(qx,qy),0)-r
def seg_d(px,py,ax,ay,bx,by):
    abx,aby=bx-ax,by-ay; t=clamp(((px-ax)*abx+(py-ay)*aby)/(abx*abx+aby*aby))
    return math.hypot(px-ax-abx*t,py-ay-aby*t)
def bez(p,t):
    u=1-t; return tuple(u*u*u*p[0][i]+3*u*u*t*p[1][i]+3*u*t*t*p[2][i]+t*t*t*p[3][i] for i in range(2))
curves=[[(108,128),(128,128),(128,80),(150,80)],[(108,128),(128,128),(128,176),(150,176)]]
polys=[[bez(c,k/24) for k in range(25)] for c in curves]
nodes=[((40,104,112,152),(110,160,250)),((148,56,220,104),(240,170,70)),((148,152,220,200),(245,110,140))]
bg=(28,31,38); fill=(40,44,52); edge=(150,160,175)
rows=[]
for y in range(H):
    row=bytearray([0])
    for x in range(W):
        px,py=x+0.5,y+0.5
        a=clamp(0.5-rrect_sd(px,py,8,8,248,248,44))
        col=list(bg)
        d=min(seg_d(px,py,*p[i],*p[i+1]) for p in polys for i in range(len(p)-1))
        c=clamp(3.5-d)
        col=[col[i]*(1-c)+edge[i]*c for i in range(3)]
        for (x0,y0,x1,y1),acc in nodes:
            sd=rrect_sd(px,py,x0,y0,x1,y1,10)
            f=clamp(0.5-sd)
            col=[col[i]*(1-f)+fill[i]*f for i in range(3)]
            s=clamp(0.5-abs(sd+2.5)+2.0)  # 4px border
            col=[col[i]*(1-s)+acc[i]*s for i in range(3)]
            # utilization bar
            b=clamp(0.5-max(abs(py-(y1-10))-2.5, px-(x0+14+(x1-x0-28)*0.6), (x0+14)-px))
            col=[col[i]*(1-b)+acc[i]*b for i in range(3)]
        row+=bytes([int(round(v)) for v in col])+bytes([int(round(a*255))])
    rows.append(bytes(row))
raw=b''.join(rows)
def chunk(t,d): return struct.pack('>I',len(d))+t+d+struct.pack('>I',zlib.crc32(t+d)&0xffffffff)
png=b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',struct.pack('>IIBBBBB',W,H,8,6,0,0,0))+chunk(b'IDAT',zlib.compress(raw,9))+chunk(b'IEND',b'')
# Next to this script, whatever the working directory.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png"), "wb") as out:
    out.write(png)

