//! The paper's frozen-feature probes: multinomial logistic regression, ridge, RBF kernel ridge,
//! seeded k-fold cross-validation over a regularisation grid, and metrics.
