-- runbook mfa-device-changes: MFA devices removed or registered
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  eventName,
  CASE
    WHEN eventName IN ('DeactivateMFADevice', 'DeleteVirtualMFADevice')
    THEN 'removed'
    ELSE 'registered'
  END AS change,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
    ),
    ELEMENT_AT(
      SPLIT(
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.serialNumber'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.serialNumber'))
        ),
        '/'
      ),
      -1
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.virtualMFADeviceName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.virtualMFADeviceName'))
    )
  ) AS user_or_device,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.serialNumber'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.serialNumber'))
  ) AS serial_number,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
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
  AND eventSource = 'iam.amazonaws.com'
  AND errorCode IS NULL
  AND eventName IN (
    'DeactivateMFADevice',
    'DeleteVirtualMFADevice',
    'CreateVirtualMFADevice',
    'EnableMFADevice'
  )
ORDER BY
  eventTime,
  eventID
