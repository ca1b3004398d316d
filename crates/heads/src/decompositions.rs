//! Thread-count-independent results from faer's decompositions.

/// Runs faer's decompositions (eigen, SVD, Cholesky) on one thread, process-wide. Their blocked
/// algorithms split the work by the thread count, and the last bits they change can move a
/// probe's choice of lambda: the demo's Default encoder scored 0.427 on one thread and 0.421 on
/// two. Matrix products keep the `Par` their callers pass. The command line and the study runner
/// call this; the cost was not measurable on the demo's probes.
pub fn sequential_decompositions() {
    faer::set_global_parallelism(faer::Par::Seq);
}
