"""Parity fixtures for the heads crate, from scikit-learn on real data it ships.

Run from the repository root (takes well under a minute):

    python3 scripts/reference/heads.py

Writes crates/heads/tests/fixtures/digits.safetensors (the handwritten digits, 1797 x 64,
split into the first 1000 rows for training and the rest for testing, plus the diabetes
regression set, 442 x 10, first 300 rows train) and crates/heads/tests/fixtures/heads.json
with scikit-learn's results:

- converged multinomial LogisticRegression (lbfgs, tol 1e-10) test accuracy at fixed lambda = 1/C;
- Ridge (alpha = lambda, fit_intercept) test R^2 (uniform average) predicting the one-hot class;
- KernelRidge (rbf) on StandardScaler'd diabetes at fixed (alpha, gamma): per-output test R^2;
- test accuracy of GridSearchCV over C = 1/lambda, lambda in logspace(-6, 5, 45), 5 shuffled folds.
"""

import json
import pathlib

import numpy as np
from safetensors.numpy import save_file
from sklearn.datasets import load_diabetes, load_digits
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.preprocessing import StandardScaler

OUT = pathlib.Path(__file__).resolve().parents[2] / "crates/heads/tests/fixtures"
N_TRAIN = 1000


def main():
    digits = load_digits()
    x = digits.data.astype(np.float32)
    y = digits.target.astype(np.int64)
    xtr, ytr, xte, yte = x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]
    diabetes = load_diabetes()
    dx = diabetes.data.astype(np.float32)
    dy = diabetes.target.astype(np.float32)[:, None]
    OUT.mkdir(parents=True, exist_ok=True)
    save_file(
        {"features": x, "labels": y, "diabetes_features": dx, "diabetes_targets": dy},
        str(OUT / "digits.safetensors"),
    )

    logistic = []
    for lam in [1e-2, 1.0, 1e2, 1e4]:
        clf = LogisticRegression(C=1.0 / lam, max_iter=100000, tol=1e-10)
        clf.fit(xtr.astype(np.float64), ytr)
        logistic.append({"lambda": lam, "test_accuracy": float(clf.score(xte, yte))})

    onehot_tr = np.eye(10, dtype=np.float64)[ytr]
    onehot_te = np.eye(10, dtype=np.float64)[yte]
    ridge = []
    for lam in [1e-3, 1.0, 1e2, 1e4]:
        reg = Ridge(alpha=lam).fit(xtr.astype(np.float64), onehot_tr)
        ridge.append({"lambda": lam, "test_r2": float(reg.score(xte, onehot_te))})

    sc = StandardScaler().fit(dx[:300].astype(np.float64))
    ktr, kte = sc.transform(dx[:300].astype(np.float64)), sc.transform(dx[300:].astype(np.float64))
    kernel = []
    for alpha, gamma in [(1.0, 0.01), (0.1, 0.1), (1e-2, 1e-3)]:
        kr = KernelRidge(alpha=alpha, kernel="rbf", gamma=gamma).fit(ktr, dy[:300])
        pred = kr.predict(kte)
        ss_res = ((dy[300:] - pred) ** 2).sum(0)
        ss_tot = ((dy[300:] - dy[300:].mean(0)) ** 2).sum(0)
        kernel.append({"alpha": alpha, "gamma": gamma, "test_r2": (1 - ss_res / ss_tot).tolist()})

    grid = np.logspace(-6, 5, 45)
    search = GridSearchCV(
        LogisticRegression(max_iter=1000),
        {"C": list(1.0 / grid)},
        cv=KFold(5, shuffle=True, random_state=0),
        n_jobs=1,
    ).fit(xtr.astype(np.float64), ytr)
    cv = {
        "grid": grid.tolist(),
        "best_lambda": float(1.0 / search.best_params_["C"]),
        "test_accuracy": float(search.score(xte, yte)),
    }

    fixture = {"n_train": N_TRAIN, "diabetes_n_train": 300, "logistic": logistic, "ridge": ridge,
               "kernel_ridge": kernel, "cv": cv}
    (OUT / "heads.json").write_text(json.dumps(fixture, indent=1) + "\n")
    print(json.dumps(fixture["logistic"]), json.dumps(fixture["ridge"]), json.dumps(cv["test_accuracy"]))


if __name__ == "__main__":
    main()
