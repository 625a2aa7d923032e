"""Publication figures for meta-analysis reports; every function returns a matplotlib Figure.

* :func:`forest_plot` draws study estimates with confidence intervals, weighted squares,
  summary diamonds and a prediction interval, with label and estimate columns (metafor's
  ``forest()`` is the model).
* :func:`funnel_plot` draws effect against standard error with a pseudo-confidence region,
  optional contour-enhanced shading and a small-study regression line (metafor's ``funnel()``).
* :func:`network_graph` draws the network of treatment comparisons: nodes on a circle sized by
  participants, edges as wide as their number of studies, multi-arm studies shaded (netmeta's
  ``netgraph()``).
* :func:`league_heatmap` draws a league table of all pairwise estimates as a heat map centred on
  the null (netmeta's ``netleague()``).
* :func:`rankogram` and :func:`pscore_plot` draw rank probabilities, cumulative ranking curves
  with SUCRA, and P-scores.
* :func:`ce_plane_plot` draws the cost-effectiveness plane (draws of incremental effects and costs
  with threshold lines), :func:`ce_frontier_plot` strategies with the efficient frontier,
  :func:`ceac_plot` acceptability curves with their frontier, and :func:`evpi_plot` the EVPI.
* :func:`figure_to_svg` and :func:`figure_to_png_bytes` turn a figure into inline SVG or PNG
  bytes for the self-contained HTML report.

The functions take NumPy arrays on the analysis scale (log ratios for OR, RR and HR, with
``transform=np.exp`` to draw ratios on a log axis), accept ``ax=`` to draw into an existing
axes, and never use pyplot, so they run headless and leave matplotlib's global state alone.
"""

from evsynth.plots.ce_plane import ce_frontier_plot, ce_plane_plot
from evsynth.plots.ceac import ceac_plot, evpi_plot
from evsynth.plots.export import figure_to_png_bytes, figure_to_svg
from evsynth.plots.forest import forest_plot
from evsynth.plots.funnel import funnel_plot
from evsynth.plots.league import league_heatmap
from evsynth.plots.network import network_graph
from evsynth.plots.ranking import pscore_plot, rankogram

__all__ = [
    "ce_frontier_plot",
    "ce_plane_plot",
    "ceac_plot",
    "evpi_plot",
    "figure_to_png_bytes",
    "figure_to_svg",
    "forest_plot",
    "funnel_plot",
    "league_heatmap",
    "network_graph",
    "pscore_plot",
    "rankogram",
]
