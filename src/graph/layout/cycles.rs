//! Cycle breaking: a depth-first search from the sources marks the edges that
//! close a cycle (back edges); they are reversed for layering.

use super::LayoutGraph;

/// The edges of `graph` with back edges reversed, self-loops and duplicates
/// dropped; and, per input edge, whether it was reversed.
pub(super) fn acyclic(graph: &LayoutGraph) -> (Vec<(usize, usize)>, Vec<bool>) {
    let n = graph.nodes.len();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    // Pairs seen so far: a set, not a scan of `succ[from]` (quadratic for a
    // service that calls thousands of others).
    let mut seen = std::collections::HashSet::with_capacity(graph.edges.len());
    for &(from, to) in &graph.edges {
        if from < n && to < n && from != to && seen.insert((from, to)) {
            succ[from].push(to);
            indegree[to] += 1;
        }
    }

    // Start at entry services, then at nodes nobody calls, then anywhere.
    let mut starts: Vec<usize> = (0..n).filter(|&v| graph.nodes[v].source).collect();
    starts.extend((0..n).filter(|&v| !graph.nodes[v].source && indegree[v] == 0));
    starts.extend(0..n);

    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnStack,
        Done,
    }
    let mut mark = vec![Mark::New; n];
    let mut back = std::collections::BTreeSet::new();
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in starts {
        if mark[start] != Mark::New {
            continue;
        }
        mark[start] = Mark::OnStack;
        stack.push((start, 0));
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&w) = succ[v].get(*next) {
                *next += 1;
                match mark[w] {
                    Mark::New => {
                        mark[w] = Mark::OnStack;
                        stack.push((w, 0));
                    }
                    Mark::OnStack => {
                        back.insert((v, w));
                    }
                    Mark::Done => {}
                }
            } else {
                mark[v] = Mark::Done;
                stack.pop();
            }
        }
    }

    let mut dag = Vec::new();
    for (v, targets) in succ.iter().enumerate() {
        for &w in targets {
            dag.push(if back.contains(&(v, w)) {
                (w, v)
            } else {
                (v, w)
            });
        }
    }
    dag.sort_unstable();
    dag.dedup();
    let reversed = graph.edges.iter().map(|edge| back.contains(edge)).collect();
    (dag, reversed)
}
