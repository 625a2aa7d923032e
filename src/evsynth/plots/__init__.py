"""Publication figures for meta-analysis reports; every function returns a matplotlib Figure.

* :func:`forest_plot` draws study estimates with confidence intervals, weighted squares,
  summary diamonds and a prediction interval, with label and estimate columns (metafor's
  ``forest()`` is the model).
* :func:`funnel_plot` draws effect against standard error with a pseudo-confidence region,
  optional contour-enhanced shading and a small-study regression line (metafor's ``funnel()``).
* :func:`figure_to_svg` and :func:`figure_to_png_bytes` turn a figure into inline SVG or PNG
  bytes for the self-contained HTML report.

The functions take NumPy arrays on the analysis scale (log ratios for OR, RR and HR, with
``transform=np.exp`` to draw ratios on a log axis), accept ``ax=`` to draw into an existing
axes, and never use pyplot, so they run headless and leave matplotlib's global state alone.
"""

from evsynth.plots.export import figure_to_png_bytes, figure_to_svg
from evsynth.plots.forest import forest_plot
from evsynth.plots.funnel import funnel_plot

__all__ = ["figure_to_png_bytes", "figure_to_svg", "forest_plot", "funnel_plot"]
