"""The pipeline's steps as the paper's Table 2 names and times them (seed 000, §7.1).

The reports put the measured mean of each step beside the paper's figure.
"""

from __future__ import annotations

STEPS = {
    "post": "Post messages related to the offers in the Facebook App",
    "webhook": "Webhook trigger to POST the updated or added message to Azure Web API",
    "semantic": "Determine semantic meaning of POST message",
    "influence": "Computing social influence",
    "incentive": "Calculate personalized incentives",
    "offer": "Offer generation and rewards",
}
PAPER_SECONDS = {
    "post": 0.89,
    "webhook": 1.34,
    "semantic": 1.98,
    "influence": 2.34,
    "incentive": 5.78,
    "offer": 2.1,
}

__all__ = ["PAPER_SECONDS", "STEPS"]
