"""The guides API: /api/v1/guides/, indicators and their pictures, the workflow, the history,
inspections, feedback and usage. Writes go through the services; reads shared with the pages
come from the selectors."""

from .feedback import FeedbackAnswerView, FeedbackPhotoView
from .guides import GuideViewSet
from .indicators import (
    IndicatorImageView,
    IndicatorPictureFileView,
    IndicatorPicturesView,
    IndicatorPictureView,
    IndicatorView,
)

__all__ = [
    "FeedbackAnswerView",
    "FeedbackPhotoView",
    "GuideViewSet",
    "IndicatorImageView",
    "IndicatorPictureFileView",
    "IndicatorPictureView",
    "IndicatorPicturesView",
    "IndicatorView",
]
