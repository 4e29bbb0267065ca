# The headless archsim (no desktop app): for running sweeps on Kubernetes.
#   docker build -t archsim:0.1.0 .            (from the repository's root)
# `archsim sweep … --emit k8s` writes a copy of this file next to the manifests.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --no-default-features --features cli --bin archsim

FROM debian:bookworm-slim
COPY --from=build /src/target/release/archsim /usr/local/bin/archsim
# Parts and merged results go to the volume mounted at /results.
WORKDIR /results
ENTRYPOINT ["archsim"]
