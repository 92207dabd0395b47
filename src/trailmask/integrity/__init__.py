"""Integrity (L2): CloudTrail log-file integrity validation, as AWS documents it.

``digest`` and ``keys`` are pure functions over bytes (strict gunzip, SHA-256, the data-signing
string, RSA PKCS#1 v1.5 / SHA-256 signatures, ListPublicKeys documents); ``walker`` follows the
digest chain over any object store and ``s3`` adapts boto3 clients to it; ``report`` is the result.
"""
