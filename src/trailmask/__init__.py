"""trailmask: investigate AWS CloudTrail logs with role-based dynamic masking."""

__version__ = "0.1.0"
