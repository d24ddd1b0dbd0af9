"""The line model: logistic regression over ``features.NAMES``, P(line is article content).

Weights come from ``benchmarks/train_boilerplate.py`` (trained on half of the pages of the
shared web corpus, evaluated on the other half; rerun it to retrain and paste its output).
A linear model was chosen over trees so the whole model is these few numbers.
"""

from __future__ import annotations

import numpy as np

# From benchmarks/train_boilerplate.py (2026-12-02): feature means and scales, then weights.
MEAN = np.array(
    [
        1.446704,
        0.194058,
        0.197329,
        0.326389,
        0.478491,
        0.099658,
        0.038837,
        0.674423,
        0.5,
        0.5,
        1.700119,
        0.266715,
        1.446062,
        0.331048,
        1.445684,
        0.383654,
        1.445989,
        2.554712,
        0.564432,
        0.433765,
    ]
)
SCALE = np.array(
    [
        0.967579,
        0.260901,
        0.397983,
        0.563674,
        0.424327,
        0.254394,
        0.193206,
        0.46859,
        0.289635,
        0.289635,
        2.128386,
        0.39928,
        0.761912,
        0.388043,
        0.66996,
        0.368772,
        0.602741,
        1.989736,
        0.378103,
        0.377792,
    ]
)
WEIGHTS = np.array(
    [
        -0.483881,
        0.480712,
        -0.197058,
        0.352965,
        -0.639839,
        0.142261,
        -0.191146,
        0.239707,
        0.016003,
        -0.016003,
        -1.333429,
        -0.074523,
        0.07376,
        0.103471,
        0.17529,
        0.738652,
        0.145423,
        -0.292364,
        -0.462077,
        0.014841,
    ]
)
BIAS = -0.744143


def content_probability(features: np.ndarray) -> np.ndarray:
    """P(content) per row of a ``features.line_features`` matrix."""
    z = ((features - MEAN) / SCALE) @ WEIGHTS + BIAS
    return 1.0 / (1.0 + np.exp(-z))
