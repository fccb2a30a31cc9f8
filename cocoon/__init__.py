"""cocoon: plan near-repeat burglary cocooning.

The library never prints and never imports click; the command line lives in
:mod:`cocoon.cli`. Heavy modules (geopandas, scikit-learn, pyrosm) are imported by the
modules that need them, so ``import cocoon`` stays cheap.
"""

from cocoon.errors import CocoonError

__version__ = "0.1.0"

__all__ = ["CocoonError", "__version__"]
