"""Downloads every weight an iw3 conversion of the inference image can need, then records them.

Run at image build time from the nunif checkout (the Dockerfile does):
    python3 iw3_weights.py --commit <nunif commit> --depth-models "ZoeD_Any_N Any_V2_S" --methods "row_flow row_flow_v3"

- each depth model is loaded once on the CPU through iw3's own factory (torch.hub fetches the model
  code and its weights into iw3's hub folder);
- each method's stereo model likewise (`row_flow` and `row_flow_v3` share iw3_row_flow_v3_20250627.pth);
- TransNetV2, which `--scene-detect` loads, likewise.

Unlike `python -m iw3.download_models`, nothing is force-reloaded: only the repositories the listed
models need are fetched, once. GITHUB_TOKEN, when set, authenticates torch.hub's GitHub API calls
(60 anonymous requests per hour per address are easily spent on shared build machines).

Then it writes stereo-spot-weights.json into the checkout: the commit, the depth models and methods,
and every file under iw3/pretrained_models with its size. The inference server reads it at start-up
and stays unready unless the configured depth model and method are listed and every file is there.
"""
import argparse
import gc
import json
import os
import sys
from os import path

# Methods whose weights do not depend on the divergence or on an inpaint model configuration;
# `mlbw_*` load one of three models by divergence level, the inpaint methods a configurable model.
SUPPORTED_METHODS = {
    "row_flow", "row_flow_sym", "row_flow_v3", "row_flow_v3_sym", "row_flow_v2",
    "grid_sample", "backward", "forward", "forward_fill",
}
MANIFEST_FILE = "stereo-spot-weights.json"
# Run from the nunif checkout as a file from elsewhere: its packages (iw3, nunif) come from the cwd.
sys.path.insert(0, os.getcwd())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--commit", required=True, help="the nunif commit this checkout is at")
    parser.add_argument("--depth-models", required=True, help="space-separated iw3 --depth-model names")
    parser.add_argument("--methods", required=True, help="space-separated iw3 --method names")
    args = parser.parse_args()
    depth_models = args.depth_models.split()
    methods = args.methods.split()

    from iw3.utils import create_parser
    choices = {action.dest: action.choices for action in create_parser()._actions if action.choices}
    unknown = [m for m in depth_models if m not in choices["depth_model"]]
    unknown += [m for m in methods if m not in choices["method"]]
    unsupported = [m for m in methods if m in choices["method"] and m not in SUPPORTED_METHODS]
    if unknown or unsupported or not depth_models or not methods:
        sys.exit(f"iw3_weights: unknown to this iw3: {unknown or 'none'}; methods the image cannot prepare: "
                 f"{unsupported or 'none'} (supported: {' '.join(sorted(SUPPORTED_METHODS))})")

    from iw3.depth_model_factory import create_depth_model
    from iw3.stereo_model_factory import create_stereo_model
    from iw3.hub_dir import HUB_MODEL_DIR
    from nunif.utils.ui import TorchHubDir
    from nunif.utils.transnetv2 import TransNetV2

    for name in depth_models:
        print(f"iw3_weights: depth model {name}", flush=True)
        model = create_depth_model(name)
        model.load(gpu=-1)
        del model
        gc.collect()
    for method in methods:
        print(f"iw3_weights: method {method}", flush=True)
        model = create_stereo_model(method, divergence=2.0, device_id=-1)
        del model
        gc.collect()
    print("iw3_weights: TransNetV2 (--scene-detect)", flush=True)
    with TorchHubDir(HUB_MODEL_DIR):
        TransNetV2().load()

    root = os.getcwd()
    files = []
    for folder, _, names in os.walk(path.join("iw3", "pretrained_models")):
        for name in sorted(names):
            file = path.join(folder, name)
            files.append({"path": file, "bytes": path.getsize(path.join(root, file))})
    manifest = {
        "nunif_commit": args.commit,
        "depth_models": depth_models,
        "methods": methods,
        "scene_detect": True,
        "files": sorted(files, key=lambda f: f["path"]),
    }
    with open(MANIFEST_FILE, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    total = sum(f["bytes"] for f in files)
    print(f"iw3_weights: {len(files)} files, {total / 1e6:.0f} MB recorded in {MANIFEST_FILE}", flush=True)


if __name__ == "__main__":
    main()
