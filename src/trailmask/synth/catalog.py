"""Static vocabulary of the synthetic CloudTrail generator.

Accounts, regions, services, user agents, address pools and the secret-like
literals the generator plants.  Everything here is constant and
deterministic; the per-run randomness lives in :mod:`trailmask.synth.world`
and :mod:`trailmask.synth.record`.
"""

from __future__ import annotations

import base64
import hashlib
import json

ORG_ID = "o-abc123def4"
"""Organisation id used for the organisation-trail delivery layout."""

ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("123456789012", "prod"),
    ("210987654321", "staging"),
    ("345678901234", "security"),
    ("456789012345", "management"),
)
"""The organisation's member accounts as ``(account id, alias)``."""

ACCOUNT_IDS: tuple[str, ...] = tuple(a for a, _ in ACCOUNTS)
EXTERNAL_ACCOUNT = "999988887777"
"""A third-party (vendor) account that assumes roles into the organisation."""

ORG_TRAIL_ACCOUNTS: frozenset[str] = frozenset({"123456789012", "210987654321"})
"""Accounts whose files are delivered under ``AWSLogs/<ORG_ID>/<account>/``."""

MANAGEMENT_ACCOUNT = "456789012345"
IDENTITY_STORE_ARN = "arn:aws:identitystore::456789012345:identitystore/d-9067642ac7"

REGION_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("us-east-1", 40),
    ("eu-west-1", 20),
    ("us-west-2", 15),
    ("eu-central-1", 10),
    ("ap-southeast-2", 6),
    ("ap-northeast-1", 5),
)
REGIONS: tuple[str, ...] = tuple(r for r, _ in REGION_WEIGHTS)
UNUSUAL_REGIONS: tuple[str, ...] = ("sa-east-1", "ap-south-1", "me-south-1")

# service key -> (eventSource, eventVersion, authorization error code)
SERVICES: dict[str, tuple[str, str, str]] = {
    "ec2": ("ec2.amazonaws.com", "1.10", "Client.UnauthorizedOperation"),
    "iam": ("iam.amazonaws.com", "1.09", "AccessDenied"),
    "sts": ("sts.amazonaws.com", "1.08", "AccessDenied"),
    "s3": ("s3.amazonaws.com", "1.10", "AccessDenied"),
    "lambda": ("lambda.amazonaws.com", "1.08", "AccessDeniedException"),
    "kms": ("kms.amazonaws.com", "1.08", "AccessDeniedException"),
    "ssm": ("ssm.amazonaws.com", "1.08", "AccessDeniedException"),
    "secretsmanager": ("secretsmanager.amazonaws.com", "1.08", "AccessDeniedException"),
    "cloudtrail": ("cloudtrail.amazonaws.com", "1.09", "AccessDeniedException"),
    "guardduty": ("guardduty.amazonaws.com", "1.08", "AccessDeniedException"),
    "config": ("config.amazonaws.com", "1.08", "AccessDeniedException"),
    "securityhub": ("securityhub.amazonaws.com", "1.08", "AccessDeniedException"),
    "signin": ("signin.amazonaws.com", "1.08", "AccessDenied"),
    "organizations": ("organizations.amazonaws.com", "1.09", "AccessDeniedException"),
    "rds": ("rds.amazonaws.com", "1.08", "AccessDenied"),
    "logs": ("logs.amazonaws.com", "1.08", "AccessDeniedException"),
    "sso": ("sso.amazonaws.com", "1.11", "AccessDeniedException"),
    "sns": ("sns.amazonaws.com", "1.09", "AuthorizationError"),
}

GLOBAL_SERVICES: frozenset[str] = frozenset({"iam", "organizations"})
VPCE_SERVICES: frozenset[str] = frozenset({"s3", "ssm", "kms", "secretsmanager", "logs", "sts", "ec2", "lambda"})

# Non-authorisation failures per service: (event names the error belongs to, errorCode, errorMessage).
# The names are a regular expression matched against the whole eventName, so a failed call only ever
# carries an error its own API can return (``{name}`` is the target's name, ``{entity}`` the IAM entity).
OTHER_ERRORS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "ec2": (
        (
            r"(Run|Start|Stop|Terminate|Reboot|Create|Delete|Modify|Authorize|Revoke)\w*",
            "Client.DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.",
        ),
        (r"\w+", "Client.RequestLimitExceeded", "Request limit exceeded."),
        (
            r"(Authorize|Revoke)SecurityGroup(Ingress|Egress)|DescribeSecurityGroupRules",
            "Client.InvalidParameterValue",
            "Value () for parameter groupId is invalid.",
        ),
    ),
    "iam": (
        (
            r"(Get|Delete|Update|Attach|Detach|Put|List)(User|Role|Group)\w*|(Add|Remove)UserToGroup",
            "NoSuchEntity",
            "The {entity} with name {name} cannot be found.",
        ),
        (r"Create(User|Role|Group)", "EntityAlreadyExists", "{Entity} with name {name} already exists."),
    ),
    "s3": (
        (r"(Get|Delete)BucketPolicy", "NoSuchBucketPolicy", "The bucket policy does not exist"),
        (
            r"GetBucketEncryption",
            "ServerSideEncryptionConfigurationNotFoundError",
            "The server side encryption configuration was not found",
        ),
        (r"(Get|Head|Copy)Object\w*", "NoSuchKey", "The specified key does not exist."),
    ),
    "ssm": (
        (r"GetParameters?|DeleteParameter|GetParameterHistory", "ParameterNotFound", ""),
        (r"\w+", "ThrottlingException", "Rate exceeded"),
    ),
    "secretsmanager": (
        (
            r"(GetSecretValue|DescribeSecret|DeleteSecret|PutSecretValue|UpdateSecret|RotateSecret)",
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.",
        ),
    ),
    "lambda": (
        (
            r"(Get|Invoke|Delete|Update|Publish)\w*Function\w*|Invoke\w*|GetPolicy\w*|AddPermission\w*",
            "ResourceNotFoundException",
            "Function not found: {target}",
        ),
    ),
    "kms": (
        (r"\w+", "ThrottlingException", "Rate exceeded"),
        (r"DescribeKey|Encrypt|GenerateDataKey\w*", "NotFoundException", "Alias is not found."),
    ),
    "logs": ((r"CreateLogStream", "ResourceAlreadyExistsException", "The specified log stream already exists"),),
    "rds": (
        (
            r"(Describe|Delete|Modify|Stop|Start|Reboot)DBInstances?",
            "DBInstanceNotFound",
            "DBInstance {name} not found.",
        ),
    ),
    "cloudtrail": (
        (
            r"(Get|Stop|Start|Update|Delete)Trail|(Start|Stop)Logging|GetTrailStatus|(Get|Put)EventSelectors",
            "TrailNotFoundException",
            "Unknown trail for this account.",
        ),
    ),
}

TLS13 = ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
TLS13_256 = ("TLSv1.3", "TLS_AES_256_GCM_SHA384")
TLS12 = ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")

CLI_AGENTS: tuple[str, ...] = (
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/",
    "aws-cli/2.13.25 Python/3.11.5 Darwin/23.1.0 exe/x86_64 prompt/off command/",
    "aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#",
    "aws-cli/1.29.62 Python/3.9.18 Windows/10 botocore/1.31.62 command/",
)
SDK_AGENTS: tuple[str, ...] = (
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 "
    "lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
    "Boto3/1.28.57 Python/3.10.12 Linux/5.15.0-1047-aws Botocore/1.31.57",
    "aws-sdk-go/1.50.30 (go1.21.8; linux; amd64)",
    "aws-sdk-java/2.25.6 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS "
    "Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.214-202.855.amzn2.x86_64 lang/js md/nodejs#20.12.0 api/s3#3.540.0",
)
LAMBDA_AGENT = (
    "Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.209-220.810.amzn2.x86_64 md/arch#x86_64 "
    "lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy "
    "Botocore/1.34.42"
)
SSM_AGENT = "aws-sdk-go/1.44.260 (go1.20.10; linux; amd64) amazon-ssm-agent/3.2.2016.0"
TERRAFORM_AGENT = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux "
    "lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64"
)
BROWSER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 "
    "Safari/537.36 Edg/121.0.2277.128",
)
CONSOLE_AGENTS: tuple[str, ...] = ("AWS Internal", "console.amazonaws.com", "console.ec2.amazonaws.com")
ATTACKER_AGENTS: tuple[str, ...] = (
    "aws-cli/2.13.5 Python/3.11.4 Linux/6.3.0-kali1-amd64 exe/x86_64.kali.2023 prompt/off command/",
    "Boto3/1.26.90 Python/3.11.2 Linux/6.1.0-kali5-amd64 Botocore/1.29.90",
)

HUMAN_IPS: tuple[str, ...] = (
    "203.0.113.10",
    "203.0.113.45",
    "198.51.100.23",
    "192.0.2.146",
    "2001:db8:4f2a:100::1a",
    "2001:db8:85a3::8a2e:370:7334",
    "81.2.69.142",
    "93.184.216.34",
)
AUTOMATION_IPS: tuple[str, ...] = (
    "54.239.28.85",
    "3.91.171.24",
    "34.228.4.208",
    "52.94.236.248",
    "18.206.107.29",
    "13.248.118.1",
    "198.51.100.77",
)
PRIVATE_IPS: tuple[str, ...] = ("10.0.12.34", "10.0.45.7", "10.20.3.118", "172.31.10.5")
ATTACKER_IPS: tuple[str, ...] = ("185.220.101.47", "45.155.205.233", "2001:db8:dead:beef::17")

IDC_USERS: tuple[tuple[str, str], ...] = (
    ("alice", "alice@example.com"),
    ("bob.smith", "bob.smith@example.com"),
    ("carol", "carol@example.org"),
    ("dave.ops", "dave.ops@example.net"),
    ("erin", "erin@corp.example.com"),
)
PLANTED_EMAILS: tuple[str, ...] = (
    *(email for _, email in IDC_USERS),
    "security-alerts@example.com",
    "billing@example.org",
)
"""E-mail addresses the generator can emit (SSO session names, tags, SNS endpoints)."""

DB_PASSWORDS: tuple[str, ...] = (
    "Pr0d-Db!pass-2026",
    "xK9#mQ2$vL7@nR4w",
    "Summer2026!Backup",
    "s3cr3t-PG-master-Zq81",
)
API_TOKENS: tuple[str, ...] = (
    "ghp_R8mK2xQ9vL4nT7wB1cY5zD3fH6jP0sA2eG4u",
    "xoxb-2847561930-4829175630184-Hk3mN8pQ2rT5vW9yZ1bC4dF7",
    "glpat-Xk9mQ2vL7nR4wT8yB3cF",
    "3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e",
)
STRIPE_KEYS: tuple[str, ...] = (
    "sk_live_51NzQ8bKx9mT2vL7pR4wY6cF3dH8jU1aE5sG0kB2nM4qX7zV9pL3",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dcQx82",
)
MISC_SECRETS: tuple[str, ...] = (
    "SG.Xk9mQ2vL7nR4wT8yB3cF.a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
)
SESSION_TOKEN_PREFIXES: tuple[str, ...] = ("IQoJb3JpZ2luX2Vj", "FwoGZXIvYXdzE")
"""Every generated STS ``sessionToken`` starts with one of these prefixes."""


def _b64url(raw: bytes) -> str:
    """Encode ``raw`` as unpadded base64url, as JWT segments are."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _jwt(repo: str, ref: str, iat: int) -> str:
    """Build a GitHub-Actions-shaped OIDC JWT with a deterministic fake signature."""
    header = {"alg": "RS256", "kid": "cc413527-173f-5a05-976e-9c52b1d7b431", "typ": "JWT"}
    claims = {
        "actor": "release-bot",
        "aud": "sts.amazonaws.com",
        "exp": iat + 900,
        "iat": iat,
        "iss": "https://token.actions.githubusercontent.com",
        "jti": hashlib.sha256(f"{repo}{iat}".encode()).hexdigest()[:32],
        "ref": ref,
        "repository": repo,
        "sub": f"repo:{repo}:ref:{ref}",
    }
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    digest = b"".join(hashlib.sha512(f"{signing_input}{i}".encode()).digest() for i in range(4))
    return f"{signing_input}.{_b64url(digest)}"


OIDC_SUBJECTS: tuple[tuple[str, str], ...] = (
    ("acme-corp/payments-api", "refs/heads/main"),
    ("acme-corp/infrastructure", "refs/heads/main"),
    ("acme-corp/web-frontend", "refs/tags/v2.14.0"),
)
JWTS: tuple[str, ...] = tuple(_jwt(repo, ref, 1_793_500_000 + 3_600 * i) for i, (repo, ref) in enumerate(OIDC_SUBJECTS))

PLANTED_SECRETS: tuple[str, ...] = (*DB_PASSWORDS, *API_TOKENS, *STRIPE_KEYS, *MISC_SECRETS, *JWTS)
"""Every secret-like literal the generator can place in requestParameters.

Masking tests can assert that none of these survive masking.  Generated
(non-literal) secrets are STS session tokens, which always start with one of
:data:`SESSION_TOKEN_PREFIXES`.
"""

ADMIN_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    indent=4,
)
S3_READ_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadAssets",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": ["arn:aws:s3:::acme-prod-app-assets", "arn:aws:s3:::acme-prod-app-assets/*"],
            }
        ],
    }
)
PASSROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:*", "ec2:RunInstances"], "Resource": "*"}],
    }
)
MANAGED_POLICIES: tuple[str, ...] = (
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonS3FullAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
    "arn:aws:iam::aws:policy/SecurityAudit",
)
