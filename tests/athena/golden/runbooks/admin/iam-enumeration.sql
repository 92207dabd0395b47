-- runbook iam-enumeration: IAM enumeration (users, groups, roles, policies, password policy) by principal
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $min_distinct_calls
WITH reads AS (
  SELECT
    eventTime,
    eventName,
    userIdentity.arn AS principal_arn,
    sourceIPAddress,
    errorCode
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask AS tm_s
  ) AS events
  WHERE
    (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime >= CAST(? AS TIMESTAMP)
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime < CAST(? AS TIMESTAMP)
    )
    AND eventSource = 'iam.amazonaws.com'
    AND eventName IN (
      'ListUsers',
      'ListGroups',
      'ListRoles',
      'ListPolicies',
      'GetAccountAuthorizationDetails',
      'ListAttachedUserPolicies',
      'ListAttachedGroupPolicies',
      'ListAttachedRolePolicies',
      'ListUserPolicies',
      'ListGroupPolicies',
      'ListRolePolicies',
      'ListGroupsForUser',
      'ListEntitiesForPolicy',
      'GetPolicy',
      'GetPolicyVersion',
      'GetUserPolicy',
      'GetRolePolicy',
      'GetGroup',
      'GetUser',
      'GetRole',
      'ListAccessKeys',
      'ListMFADevices',
      'ListSSHPublicKeys',
      'ListInstanceProfiles',
      'GetAccountPasswordPolicy',
      'GetAccountSummary',
      'SimulatePrincipalPolicy',
      'GetLoginProfile'
    )
)
SELECT
  principal_arn,
  COUNT(*) AS calls,
  COUNT(DISTINCT eventName) AS distinct_calls,
  COUNT(*) FILTER(WHERE
    NOT errorCode IS NULL) AS failed,
  BOOL_OR(CAST(eventName = 'GetAccountAuthorizationDetails' AS BOOLEAN)) AS full_dump,
  BOOL_OR(CAST(eventName = 'GetAccountPasswordPolicy' AS BOOLEAN)) AS password_policy_read,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen
FROM reads
GROUP BY
  principal_arn
HAVING
  COUNT(DISTINCT eventName) >= ?
ORDER BY
  distinct_calls DESC,
  principal_arn
