//! Feature statistics, Mahalanobis distance and whitened cosine similarity, and the paper's
//! synthetic, real-world (multi-view) and extrinsic invariance measurements.
