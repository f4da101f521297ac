"""bench_train.py - the same epoch as bench_train.c, in PyTorch on the CPU.

usage: python3 bench_train.py mlp|cnn threads [epochs]
Same model, optimizer, batch size and data shape as bench_train.c; the data
are random bytes with random labels kept as uint8 and scaled per batch.
Prints one line: seconds per epoch (best of epochs) and peak RSS."""
import resource
import sys
import time

import torch
import torch.nn as nn

model_name = sys.argv[1] if len(sys.argv) > 1 else "mlp"
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
torch.set_num_threads(threads)
torch.manual_seed(7)

count = 60000
pixels = torch.randint(0, 256, (count, 1, 28, 28), dtype=torch.uint8)
labels = torch.randint(0, 10, (count,))
if model_name == "cnn":
    batch = 64
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10))
else:
    batch = 128
    model = nn.Sequential(
        nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

best = float("inf")
for _ in range(epochs):
    start = time.perf_counter()
    order = torch.randperm(count)
    for i in range(0, count, batch):
        index = order[i:i + batch]
        x = pixels[index].float().div_(255.0)
        y = labels[index]
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    best = min(best, time.perf_counter() - start)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(f"pytorch {model_name} epoch_seconds {best:.3f} peak_rss_mib {peak:.1f}")
