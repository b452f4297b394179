"""The MNIST MLP GAN of csinva/gan-vae-pretrained-pytorch (`mnist_gan_mlp`, MIT) in PyTorch, for the peer of
`goe bench generate --model ID --peer-module bench/peer/mnist_mlp_gan.py --peer-weights generator-state-dict.pt`.
The architecture is the author's (see the model's README); `build` loads the author's state dict unchanged."""
import torch
from torch import nn


def build(weights):
    g = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 784), nn.Tanh())
    g.load_state_dict(torch.load(weights, map_location="cpu"))
    return g
