"""What the PyTorch side of a bench runs on, so a ratio is never printed against a crippled reference.

Debian's python3-torch calls the system BLAS (BLAS_INFO=generic) through libblas.so.3, which is
whatever the alternatives system points at: OpenBLAS when libopenblas0-pthread is installed, else
the netlib reference BLAS, about 30x slower on these matmuls. The loaded library, read from
/proc/self/maps after a matmul, is the truth; torch.__config__ only says "generic".
"""
import torch


def blas_in_use() -> str:
    """'openblas', 'mkl', 'blis', 'reference' (netlib) or 'unknown'."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()  # make sure the BLAS is loaded and used
    try:
        with open("/proc/self/maps", encoding="utf-8") as handle:
            libs = {line.split()[-1] for line in handle if ".so" in line}
    except OSError:
        return "unknown"
    joined = " ".join(libs).lower()
    for name in ("openblas", "mkl", "blis"):
        if name in joined:
            return name
    return "reference" if "libblas.so" in joined else "unknown"
