"""Parity fixtures for the evaluation protocols of crates/heads: DINO's weighted kNN,
ssl-transfer's ProtoNet few-shot episodes and RankMe, on scikit-learn's handwritten digits.

Run from the repository root (a few seconds; NumPy, scikit-learn and safetensors):

    python3 scripts/reference/protocols.py

Writes crates/heads/tests/fixtures/protocols.safetensors and protocols.json.

The formulas, in float64 NumPy (facts read from the original code, written afresh here):

- kNN (DINO `eval_knn.py`, `knn_classifier`): rows L2-normalised (x / max(||x||, 1e-12)),
  cosine similarity of each test row to every training row, the k most similar training rows
  vote for their class with weight exp(similarity / T); the class with the largest total is
  the prediction (top-1), the five largest totals give top-5. k in {10, 20, 100, 200},
  T = 0.07. A query is a tie when the k-th and (k+1)-th similarities are within 1e-6 (the
  neighbour set is ambiguous) or the two largest class totals are within 1e-6 relative; the
  Rust test ignores those queries only.
- Few-shot (ssl-transfer `few_shot.py` with `datasets/few_shot_dataset.py`): an episode draws
  `ways` classes uniformly without replacement, then `shots + queries` rows of each class
  uniformly without replacement (the first `shots` are the support); prototypes are the class
  means of the support rows, each query goes to the prototype at the smallest squared
  Euclidean distance; accuracy is the mean over the ways * queries queries. Over the episodes:
  the mean accuracy and ci95 = 1.96 * std / sqrt(episodes) with NumPy's population std.
  ssl-transfer reports percent; here (as the other probes) fractions. Episodes are drawn
  from the 797 test rows; their indices are saved so the Rust test can replay them.
- RankMe (Garrido et al. 2023): singular values s of the (uncentred) feature matrix,
  p = s / sum(s) + 1e-7, RankMe = exp(-sum p log p). Computed here with numpy.linalg.svd
  on the float64 matrix, for the digits (1797 x 64) and for ReLU(digits @ W) (1797 x 256,
  W a fixed Gaussian 64 x 256 saved in the fixture, the product taken in float64 and rounded
  to float32), whose spectrum has a long small tail.
"""

import json
import pathlib

import numpy as np
from safetensors.numpy import save_file
from sklearn.datasets import load_digits

OUT = pathlib.Path(__file__).resolve().parents[2] / "crates/heads/tests/fixtures"
N_TRAIN = 1000
KS = [10, 20, 100, 200]
TEMPERATURE = 0.07
RANKME_EPS = 1e-7
WAYS, SHOTS, QUERIES, EPISODES = 5, 5, 15, 600
TIE = 1e-6


def normalise(x):
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def knn(xtr, ytr, xte, yte, k, t):
    sims = normalise(xte) @ normalise(xtr).T
    n_classes = int(ytr.max()) + 1
    order = np.argsort(-sims, axis=1, kind="stable")
    top1, top5, preds, ties = 0, 0, [], []
    for i in range(len(xte)):
        idx = order[i, :k]
        s = sims[i, idx]
        votes = np.zeros(n_classes)
        np.add.at(votes, ytr[idx], np.exp(s / t))
        ranked = np.argsort(-votes, kind="stable")
        best = votes[ranked[0]]
        boundary = k < len(xtr) and abs(sims[i, order[i, k - 1]] - sims[i, order[i, k]]) < TIE
        vote_tie = abs(best - votes[ranked[1]]) <= TIE * best
        preds.append(int(ranked[0]))
        ties.append(bool(boundary or vote_tie))
        top1 += int(ranked[0] == yte[i])
        nonzero = [c for c in ranked[:5] if votes[c] > 0]
        top5 += int(yte[i] in nonzero)
    return {
        "k": k,
        "top1": top1 / len(xte),
        "top5": top5 / len(xte),
        "predictions": preds,
        "ties": ties,
    }


def episodes(y, rng):
    classes = np.unique(y)
    out = np.zeros((EPISODES, WAYS, SHOTS + QUERIES), dtype=np.int16)
    for e in range(EPISODES):
        chosen = classes[rng.permutation(len(classes))[:WAYS]]
        for w, c in enumerate(chosen):
            rows = np.flatnonzero(y == c)
            out[e, w] = rows[rng.permutation(len(rows))[: SHOTS + QUERIES]]
    return out


def episode_accuracy(x, ep):
    support = x[ep[:, :SHOTS]]  # ways x shots x d
    query = x[ep[:, SHOTS:]].reshape(-1, x.shape[1])  # ways*queries x d
    protos = support.mean(axis=1)
    dists = ((query[:, None, :] - protos[None, :, :]) ** 2).sum(-1)
    truth = np.repeat(np.arange(WAYS), QUERIES)
    srt = np.sort(dists, axis=1)
    ties = int((srt[:, 1] - srt[:, 0] <= TIE * np.maximum(srt[:, 0], 1e-300)).sum())
    return float((dists.argmin(1) == truth).mean()), ties


def rankme(x):
    s = np.linalg.svd(x.astype(np.float64), compute_uv=False)
    p = s / s.sum() + RANKME_EPS
    return float(np.exp(-(p * np.log(p)).sum())), s


def main():
    digits = load_digits()
    x = digits.data.astype(np.float32)
    y = digits.target.astype(np.int64)
    xtr, ytr, xte, yte = x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]
    x64 = x.astype(np.float64)

    knn_results = [knn(x64[:N_TRAIN], ytr, x64[N_TRAIN:], yte, k, TEMPERATURE) for k in KS]

    rng = np.random.default_rng(0)
    eps = episodes(yte, rng)
    accs, ties = zip(*(episode_accuracy(x64[N_TRAIN:], ep) for ep in eps))
    accs = np.array(accs)
    fewshot = {
        "ways": WAYS,
        "shots": SHOTS,
        "queries": QUERIES,
        "episodes": EPISODES,
        "mean": float(accs.mean()),
        "ci95": float(1.96 * accs.std() / np.sqrt(EPISODES)),
        "accuracies": accs.tolist(),
        "tied_queries": list(ties),
    }

    w = np.random.default_rng(1).standard_normal((64, 256)).astype(np.float32)
    lifted = np.maximum(x64 @ w.astype(np.float64), 0.0).astype(np.float32)
    rm_digits, s_digits = rankme(x)
    rm_lifted, s_lifted = rankme(lifted)
    rank = {
        "epsilon": RANKME_EPS,
        "digits": rm_digits,
        "digits_train": rankme(xtr)[0],
        "lifted": rm_lifted,
        "lifted_smallest_singular_value_ratio": float(s_lifted[-1] / s_lifted[0]),
        "digits_singular_values": s_digits.tolist(),
    }

    OUT.mkdir(parents=True, exist_ok=True)
    save_file(
        {"episodes": eps, "lift": w},
        str(OUT / "protocols.safetensors"),
    )
    report = {
        "source": "scripts/reference/protocols.py",
        "data": "sklearn load_digits, first 1000 rows train, rest test (digits.safetensors)",
        "temperature": TEMPERATURE,
        "knn": knn_results,
        "fewshot": fewshot,
        "rankme": rank,
    }
    (OUT / "protocols.json").write_text(json.dumps(report) + "\n")
    for r in knn_results:
        print(f"knn k={r['k']}: top1 {r['top1']:.4f} top5 {r['top5']:.4f} ties {sum(r['ties'])}")
    print(f"fewshot: {fewshot['mean']:.4f} +- {fewshot['ci95']:.4f}, tied queries {sum(ties)}")
    print(f"rankme: digits {rm_digits:.6f}, lifted {rm_lifted:.6f}")


if __name__ == "__main__":
    main()
