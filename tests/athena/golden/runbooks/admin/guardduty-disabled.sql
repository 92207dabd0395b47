-- runbook guardduty-disabled: GuardDuty disabled or blinded
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  eventName,
  awsRegion,
  recipientAccountId,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.detectorId'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.detectorId'))
  ) AS detector_id,
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
  AND eventSource = 'guardduty.amazonaws.com'
  AND errorCode IS NULL
  AND (
    eventName IN (
      'DeleteDetector',
      'DisassociateFromMasterAccount',
      'DisassociateFromAdministratorAccount',
      'StopMonitoringMembers',
      'DeleteMembers',
      'DisassociateMembers',
      'CreateIPSet',
      'UpdateIPSet',
      'DeletePublishingDestination'
    )
    OR (
      eventName = 'UpdateDetector'
      AND (
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.enable'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.enable'))
        )
      ) = 'false'
    )
    OR (
      eventName IN ('CreateFilter', 'UpdateFilter')
      AND (
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.action'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.action'))
        )
      ) = 'ARCHIVE'
    )
  )
ORDER BY
  eventTime,
  eventID
