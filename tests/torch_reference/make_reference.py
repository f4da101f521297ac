#!/usr/bin/python3
"""make_reference.py - PyTorch's tensors for tests/test_torch_reference.c.

How the committed files were made (run by hand, never by `make test`):

    /usr/bin/python3 tests/torch_reference/make_reference.py

on Debian 12 with its packages python3-torch 1.13.1+dfsg-4 (torch.__version__
"1.13.0a0") and python3-numpy 1:1.24.2-1+deb12u1, Python 3.11.2, on the CPU,
one thread. The script writes the versions it ran with into made_with.txt
beside the files. Running it again rewrites every file; with the same torch
the bytes are the same (fixed seeds, one thread).

WHAT IS COMPARED

Four small nets, each built from torch.nn modules and given a fixed batch
sequence (STEPS batches of BATCH samples, drawn here with fixed seeds):

  dense       10 -> Linear 16, ReLU -> Linear 12, Tanh -> Linear 8, Sigmoid
              -> Linear 5, softmax cross-entropy (nn.CrossEntropyLoss)
              initnn arch "dense:16,relu,dense:12,tanh,dense:8,sigmoid,dense:5,softmax"
  regression  6 -> Linear 16, Tanh -> Linear 16, ReLU -> Linear 3, MSE (nn.MSELoss)
              initnn arch "dense:16,tanh,dense:16,relu,dense:3"
  conv        2x12x12 -> Conv2d 4 3x3 padding 1, ReLU -> MaxPool2d 2
              -> Conv2d 6 3x2 (no padding), Tanh -> AvgPool2d 2 (the odd last
              column dropped) -> Flatten -> Linear 5, softmax cross-entropy
              initnn arch "conv:4:3:1:same,relu,maxpool:2,conv:6:3x2,tanh,
              avgpool:2,flatten,dense:5,softmax"
  dropout     10 -> Linear 16, ReLU -> dropout 0.25 with a fixed mask per step
              -> Linear 12, Tanh -> Linear 5, softmax cross-entropy
              initnn arch "dense:16,relu,dropout:0.25,dense:12,tanh,dense:5,softmax"

and, per case (a net and an optimizer, table CASES below), STEPS training
steps: zero the gradients, forward, loss, backward, clip, optimizer step.

FILES (all NumPy .npy, format 1.0, little-endian float32 '<f4', C order;
initnn reads them with initnn_npy_read)

  NET_x.npy        (STEPS, BATCH, features)  inputs; conv: features = C*H*W
                   in NCHW order
  NET_y.npy        (STEPS, BATCH) class labels (small integers, exact in
                   float32), or (STEPS, BATCH, 3) regression targets; both
                   functions of x through a fixed random map (argmax, tanh),
                   so that there is something to learn
  NET_mask.npy     dropout only: (STEPS, BATCH, 16) the mask of each step,
                   keep / (1 - 0.25), i.e. 0 or 4/3 rounded to float32
  NET_init.npy     (P,) the initial parameters, in initnn's layout
  CASE_loss.npy    (STEPS,) the loss of step t, on the weights before it
  CASE_grad.npy    (STEPS, P) the gradient of step t as backward leaves it:
                   before clipping and before weight decay is added
  CASE_param.npy   (STEPS, P) the parameters after step t

initnn's parameter layout (initnn_net.params): layer after layer, the kernel
W then the bias b.
  dense   W is (fan_in, fan_out), Y = X W + b: torch's Linear.weight
          (fan_out, fan_in) transposed.
  conv2d  W is (C_in k_h k_w, C_out), row (c, i, j) = c k_h k_w + i k_w + j:
          torch's Conv2d.weight (C_out, C_in, k_h, k_w) reshaped to
          (C_out, C_in k_h k_w) and transposed.
Gradients use the same layout.

MAPPING initnn's optimizers onto torch (initnn.h, section 8)

  SGD       torch.optim.SGD(lr, momentum, nesterov, weight_decay): the same
            formula (v = mu v + g; w -= lr (nesterov ? g + mu v : v), with
            v = g on the first step in both).
  Adam      torch.optim.Adam(lr, betas=(0.9, 0.999), eps=1e-8,
            weight_decay): Algorithm 1, as initnn_adam.
  Adam, Keras' epsilon (initnn_adam_keras): torch has no such form; written
            by hand below in torch float32 (adam_keras_step):
            lr_t = lr sqrt(1 - b2^t) / (1 - b1^t),
            w -= lr_t m / (sqrt(v) + 1e-7).
  RMSProp   torch.optim.RMSprop(lr, alpha=0.9, eps=1e-8, weight_decay):
            v = rho v + (1 - rho) g^2; w -= lr g / (sqrt(v) + eps) with
            initnn's rho 0.9 (torch's default alpha is 0.99).
  weight decay  coupled L2, g += wd * w inside the step, after clipping:
            torch's optimizers' weight_decay argument does the same.
  clip by value  torch.nn.utils.clip_grad_value_: the same clamp to [-c, c].
  clip by norm   written by hand (clip_by_norm below): initnn scales by
            max_norm / ||g|| only when ||g|| > max_norm, with ||g|| over all
            parameters summed in double; torch.nn.utils.clip_grad_norm_
            divides by ||g|| + 1e-6 instead, a different formula.
  When both clippings are set initnn clips by value first; no case here sets
  both.
  dropout   a module multiplying by the given mask (FixedDropout below):
            initnn's inverted dropout with its mask fixed (initnn_net's
            reuse_dropout_mask), instead of torch's own random draw.

GUARDS

Rounding cannot flip a branch: the script stops with an error unless every
ReLU pre-activation is at least 1e-5 away from 0, every max-pool window's
largest value leads the next by 1e-5 (or the window is all zeros, whose
gradient ReLU stops anyway), every clip-by-norm step has ||g|| above the
threshold, and every clip-by-value step clips some elements but not all.
"""
import os
import platform
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

STEPS = 8
BATCH = 8
RELU_MARGIN = 1e-5
POOL_MARGIN = 1e-5
HERE = os.path.dirname(os.path.abspath(__file__))

torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)


class FixedDropout(nn.Module):
    """Inverted dropout with a mask set from outside: y = x * mask."""

    def __init__(self):
        super().__init__()
        self.mask = None

    def forward(self, x):
        return x * self.mask


def make_net(name):
    """The torch model, its input shape and its task."""
    if name == "dense":
        model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 12), nn.Tanh(),
                              nn.Linear(12, 8), nn.Sigmoid(), nn.Linear(8, 5))
        return model, (10,), "classes", 5
    if name == "regression":
        model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
        return model, (6,), "targets", 3
    if name == "conv":
        model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(4, 6, (3, 2)), nn.Tanh(), nn.AvgPool2d(2),
                              nn.Flatten(), nn.Linear(24, 5))
        return model, (2, 12, 12), "classes", 5
    if name == "dropout":
        model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), FixedDropout(), nn.Linear(16, 12), nn.Tanh(),
                              nn.Linear(12, 5))
        return model, (10,), "classes", 5
    raise ValueError(name)


NET_SEEDS = {"dense": 1, "regression": 2, "conv": 3, "dropout": 5}
DROPOUT_RATE = 0.25

# (case, net, optimizer, learning rate, options)
CASES = [
    ("dense_sgd", "dense", "sgd", 0.1, {}),
    ("dense_sgd_momentum", "dense", "sgd", 0.05, {"momentum": 0.9}),
    ("dense_sgd_nesterov", "dense", "sgd", 0.05, {"momentum": 0.9, "nesterov": True}),
    ("dense_adam", "dense", "adam", 1e-2, {}),
    ("dense_adam_keras", "dense", "adam_keras", 1e-2, {}),
    ("dense_rmsprop", "dense", "rmsprop", 1e-3, {}),
    ("dense_sgd_momentum_clip_norm", "dense", "sgd", 0.05, {"momentum": 0.9, "clip_norm": 0.05}),
    ("dense_sgd_clip_value", "dense", "sgd", 0.1, {"clip_value": 0.01}),
    ("dense_sgd_momentum_weight_decay", "dense", "sgd", 0.05, {"momentum": 0.9, "weight_decay": 0.05}),
    ("dense_adam_weight_decay", "dense", "adam", 1e-2, {"weight_decay": 0.05}),
    ("dense_rmsprop_weight_decay", "dense", "rmsprop", 1e-3, {"weight_decay": 0.05}),
    ("regression_sgd_momentum", "regression", "sgd", 0.02, {"momentum": 0.9}),
    ("regression_adam", "regression", "adam", 1e-2, {}),
    ("conv_sgd_momentum", "conv", "sgd", 0.05, {"momentum": 0.9}),
    ("conv_adam", "conv", "adam", 1e-2, {}),
    ("dropout_sgd_momentum", "dropout", "sgd", 0.05, {"momentum": 0.9}),
    ("dropout_adam", "dropout", "adam", 1e-2, {}),
]


def to_initnn(model, grads=False):
    """The model's parameters (or their gradients) as initnn's flat vector."""
    parts = []
    for module in model:
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            w = module.weight.grad if grads else module.weight
            b = module.bias.grad if grads else module.bias
            w = w.detach().reshape(w.shape[0], -1).t()   # (fan_out, ...) -> (fan_in, fan_out)
            parts += [w.reshape(-1), b.detach().reshape(-1)]
    return torch.cat(parts).numpy().astype("<f4")


def save(name, array):
    np.save(os.path.join(HERE, name + ".npy"), np.ascontiguousarray(array, dtype="<f4"))


def make_batches(name, shape, task, width):
    gen = torch.Generator().manual_seed(100 + NET_SEEDS[name])
    x = torch.randn((STEPS, BATCH) + shape, generator=gen)
    # Labels and targets that a net can learn: functions of x through a fixed
    # random map, so that the losses fall over the steps.
    teacher = torch.randn((int(np.prod(shape)), width), generator=gen)
    scores = x.reshape(STEPS, BATCH, -1) @ teacher
    if task == "classes":
        y = scores.argmax(dim=2)
    else:
        y = torch.tanh(scores / np.sqrt(float(np.prod(shape))))
    mask = None
    if name == "dropout":
        keep = torch.rand((STEPS, BATCH, 16), generator=gen) >= DROPOUT_RATE
        mask = keep.float() / (1.0 - DROPOUT_RATE)   # float32: 0 or 4/3 rounded
    return x, y, mask


class Guards:
    """Forward hooks that check that no ReLU or max-pool branch is within
    rounding of flipping."""

    def __init__(self, model):
        self.handles = []
        for module in model:
            if isinstance(module, nn.ReLU):
                self.handles.append(module.register_forward_hook(self.relu))
            if isinstance(module, nn.MaxPool2d):
                self.handles.append(module.register_forward_hook(self.maxpool))

    @staticmethod
    def relu(module, inputs, output):
        z = inputs[0].detach()
        closest = z.abs().min().item()
        if closest < RELU_MARGIN:
            sys.exit("make_reference.py: a ReLU pre-activation is %g from 0; change the seeds" % closest)

    @staticmethod
    def maxpool(module, inputs, output):
        x = inputs[0].detach()
        k = module.kernel_size
        cols = F.unfold(x, k, stride=module.stride)                      # (B, C k k, L)
        cols = cols.reshape(x.shape[0], x.shape[1], k * k, -1)
        top = cols.topk(2, dim=2).values
        gap = top[:, :, 0] - top[:, :, 1]
        tight = (gap < POOL_MARGIN) & (top[:, :, 0] > 0)
        if tight.any():
            sys.exit("make_reference.py: a max-pool window's two largest differ by %g; change the seeds"
                     % gap[tight].min().item())


def clip_by_norm(params, max_norm):
    """initnn_clip_grad_norm: the norm over every gradient, summed in double;
    if it exceeds max_norm, every gradient times max_norm / norm (in float32)."""
    norm = float(np.sqrt(sum((p.grad.double() ** 2).sum().item() for p in params)))
    if norm <= max_norm:
        sys.exit("make_reference.py: gradient norm %g does not exceed clip_norm %g" % (norm, max_norm))
    scale = torch.tensor(max_norm / norm, dtype=torch.float32)
    for p in params:
        p.grad.mul_(scale)


def adam_keras_step(params, state, lr, beta1=0.9, beta2=0.999, eps_hat=1e-7, weight_decay=0.0):
    """Adam in the paper's Sec. 2 "efficient" form, Keras' and TensorFlow's
    (initnn_adam_keras), written by hand in float32 torch:
       m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,
       lr_t = lr sqrt(1 - b2^t) / (1 - b1^t),  w -= lr_t m / (sqrt(v) + eps_hat)."""
    state["t"] = state.get("t", 0) + 1
    t = state["t"]
    lr_t = lr * (1.0 - beta2 ** t) ** 0.5 / (1.0 - beta1 ** t)
    with torch.no_grad():
        for i, p in enumerate(params):
            g = p.grad if weight_decay == 0.0 else p.grad + weight_decay * p
            m = state.setdefault(("m", i), torch.zeros_like(p))
            v = state.setdefault(("v", i), torch.zeros_like(p))
            m.mul_(beta1).add_(g, alpha=1.0 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1.0 - beta2)
            p.sub_(lr_t * m / (v.sqrt() + eps_hat))


def run_case(case, net, optimizer, lr, options, data):
    x, y, mask, init_state = data
    model, shape, task, width = make_net(net)
    model.load_state_dict(init_state)
    params = list(model.parameters())
    momentum = options.get("momentum", 0.0)
    weight_decay = options.get("weight_decay", 0.0)
    if optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=options.get("nesterov", False),
                              weight_decay=weight_decay)
    elif optimizer == "adam":
        opt = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=weight_decay)
    elif optimizer == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-8, weight_decay=weight_decay)
    elif optimizer == "adam_keras":
        opt, keras_state = None, {}
    else:
        raise ValueError(optimizer)
    loss_fn = nn.CrossEntropyLoss() if task == "classes" else nn.MSELoss()
    guards = Guards(model)
    losses, grads, after = [], [], []
    for t in range(STEPS):
        for p in params:
            p.grad = None
        if mask is not None:
            model[2].mask = mask[t]
        out = model(x[t])
        loss = loss_fn(out, y[t])
        loss.backward()
        losses.append(loss.item())
        grads.append(to_initnn(model, grads=True))
        if "clip_value" in options:
            g = torch.cat([p.grad.reshape(-1) for p in params])
            clipped = (g.abs() > options["clip_value"]).float().mean().item()
            if not 0.05 < clipped < 0.95:
                sys.exit("make_reference.py: %s step %d clips %.0f%% of the gradient" % (case, t + 1, 100 * clipped))
            torch.nn.utils.clip_grad_value_(params, options["clip_value"])
        if "clip_norm" in options:
            clip_by_norm(params, options["clip_norm"])
        if opt is None:
            adam_keras_step(params, keras_state, lr, weight_decay=weight_decay)
        else:
            opt.step()
        after.append(to_initnn(model))
    for handle in guards.handles:
        handle.remove()
    save(case + "_loss", np.array(losses, dtype=np.float32))
    save(case + "_grad", np.stack(grads))
    save(case + "_param", np.stack(after))
    return losses


def main():
    nets = {}
    for net in NET_SEEDS:
        torch.manual_seed(NET_SEEDS[net])
        model, shape, task, width = make_net(net)   # torch's default initialization
        x, y, mask = make_batches(net, shape, task, width)
        nets[net] = (x, y, mask, model.state_dict())
        save(net + "_x", x.reshape(STEPS, BATCH, -1).numpy())
        save(net + "_y", y.float().numpy())
        if mask is not None:
            save(net + "_mask", mask.numpy())
        save(net + "_init", to_initnn(model))
    for case, net, optimizer, lr, options in CASES:
        losses = run_case(case, net, optimizer, lr, options, nets[net])
        print("%-34s loss %.6f -> %.6f" % (case, losses[0], losses[-1]))
    with open(os.path.join(HERE, "made_with.txt"), "w") as f:
        f.write("made by: /usr/bin/python3 tests/torch_reference/make_reference.py\n")
        f.write("torch %s, numpy %s, Python %s, %s, %d thread\n"
                % (torch.__version__, np.__version__, platform.python_version(), platform.machine(),
                   torch.get_num_threads()))
        f.write("steps %d, batch %d\n" % (STEPS, BATCH))


if __name__ == "__main__":
    main()
