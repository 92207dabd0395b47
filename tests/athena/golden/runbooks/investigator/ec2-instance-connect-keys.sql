-- runbook ec2-instance-connect-keys: SSH keys pushed to instances (EC2 Instance Connect, serial console, key pairs)
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $include_failed
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS principal_arn,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.instanceId'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceId'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.instanceConnectEndpointId'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceConnectEndpointId'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.keyName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.keyName'))
    )
  ) AS target,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.instanceOSUser'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceOSUser'))
  ) AS os_user,
  sourceIPAddress,
  errorCode,
  eventID
FROM (
  SELECT
    *
  FROM cloudtrail_trailmask_investigator AS tm_s
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
  AND (
    (
      eventSource = 'ec2-instance-connect.amazonaws.com'
      AND eventName IN ('SendSSHPublicKey', 'SendSerialConsoleSSHPublicKey', 'OpenTunnel')
    )
    OR (
      eventSource = 'ec2.amazonaws.com'
      AND eventName IN ('EnableSerialConsoleAccess', 'ImportKeyPair', 'CreateKeyPair')
    )
  )
  AND (
    ? OR errorCode IS NULL
  )
ORDER BY
  eventTime,
  eventID
