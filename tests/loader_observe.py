"""The same observations of a namespace's graded classes, in the loader and under plain Python."""
import json
import os
import runpy
import sys

import numpy as np


def observe(ns: dict) -> dict:
    rng = np.random.default_rng(7)
    x = np.linspace(-3.0, 3.0, 12).reshape(4, 3)
    out = {}
    for name in ("ReLU", "Sigmoid"):
        activation = ns[name]()
        out[f"{name}.forward"] = activation.forward(x.copy())
        out[f"{name}.backward"] = activation.backward(x.copy())
    layer = ns["Layer"](3, 2, ns["Sigmoid"]())
    layer.weights, layer.bias = rng.normal(size=(3, 2)), rng.normal(size=(1, 2))
    out["Layer.forward"] = layer.forward(x)
    out["Layer.backward"] = np.concatenate([g.ravel() for g in layer.backward(rng.normal(size=(4, 2)))])
    net = ns["NeuralNetwork"]([3, 4, 1], [ns["ReLU"](), ns["Sigmoid"]()])
    for each in net.layers:
        each.weights, each.bias = rng.normal(size=each.weights.shape), rng.normal(size=each.bias.shape)
    out["NeuralNetwork.forward"] = net.forward(x)
    net.backward(rng.normal(size=(4, 1)), 0.1)
    out["NeuralNetwork.backward"] = np.concatenate([each.weights.ravel() for each in net.layers])
    return {key: np.asarray(value, dtype=float).tolist() for key, value in out.items()}


if __name__ == "__main__":
    # python observe.py SIDE_EFFECTS_DIR FILE...: run each FILE as `python FILE` would, print observations
    results = {}
    for path in sys.argv[2:]:
        os.environ["LOADER_SIDE_EFFECTS"] = os.path.join(sys.argv[1], os.path.basename(path) + ".log")
        sys.argv[0] = path
        results[path] = observe(runpy.run_path(path, run_name="__main__"))
    print(json.dumps(results))
