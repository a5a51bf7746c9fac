"""torchvision's resnet18 as the reference the function's ONNX graph is checked against (TorchvisionResNet18Test).

    torchvision_resnet18.py WEIGHTS.safetensors OUT_DIR INPUT...

WEIGHTS is a torchvision-layout safetensors file (float32). Each INPUT is either a raw tensor (NAME.f32: 3x224x224
little-endian float32, already preprocessed) or an image file, which is preprocessed here exactly as torchvision's
ImageNet evaluation does it. For the i-th INPUT, OUT_DIR/i.logits receives the model's 1000 logits as little-endian
float32. Needs Debian's python3-torch and python3-torchvision; nothing is downloaded.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms


def read_safetensors(path):
    # Parsed here because Debian 12 has no python3-safetensors: 8-byte header length, JSON header, raw data.
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    state = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            sys.exit(f"{name}: dtype {meta['dtype']}, expected F32")
        start, end = meta["data_offsets"]
        values = np.frombuffer(data[start:end], dtype="<f4").reshape(meta["shape"])
        state[name] = torch.from_numpy(values.copy())
    return state


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    weights, out_dir, inputs = sys.argv[1], sys.argv[2], sys.argv[3:]
    torch.set_num_threads(1)
    model = torchvision.models.resnet18()
    missing, unexpected = model.load_state_dict(read_safetensors(weights), strict=False)
    # num_batches_tracked only counts training steps; it plays no part in evaluation.
    missing = [m for m in missing if not m.endswith("num_batches_tracked")]
    if missing or unexpected:
        sys.exit(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
    model.eval()
    preprocess = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    with torch.no_grad():
        for i, path in enumerate(inputs):
            if path.endswith(".f32"):
                x = torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(1, 3, 224, 224))
            else:
                x = preprocess(Image.open(path).convert("RGB")).unsqueeze(0)
            logits = model(x)[0].numpy().astype("<f4")
            logits.tofile(os.path.join(out_dir, f"{i}.logits"))


if __name__ == "__main__":
    main()
