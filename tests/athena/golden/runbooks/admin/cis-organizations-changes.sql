-- runbook cis-organizations-changes: AWS Organizations changes (CIS 4.15)
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $include_failed
SELECT
  eventTime,
  eventSource,
  eventName,
  awsRegion,
  recipientAccountId,
  userIdentity.type AS principal_type,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  errorCode,
  CAST(requestParameters AS VARCHAR) AS request_parameters,
  eventID
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
  AND eventSource = 'organizations.amazonaws.com'
  AND eventName IN (
    'AcceptHandshake',
    'AttachPolicy',
    'CreateAccount',
    'CreateOrganizationalUnit',
    'CreatePolicy',
    'DeclineHandshake',
    'DeleteOrganization',
    'DeleteOrganizationalUnit',
    'DeletePolicy',
    'DetachPolicy',
    'DisablePolicyType',
    'EnablePolicyType',
    'InviteAccountToOrganization',
    'LeaveOrganization',
    'MoveAccount',
    'RemoveAccountFromOrganization',
    'UpdatePolicy',
    'UpdateOrganizationalUnit'
  )
  AND (
    ? OR errorCode IS NULL
  )
ORDER BY
  eventTime,
  eventID
