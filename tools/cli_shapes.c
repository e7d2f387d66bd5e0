/*
 * cli_shapes.c -- DynamoDB's request and response shapes, as data.
 *
 * One string per named shape, "Name: TYPE", where TYPE is
 *
 *     s  i  l  d  bool  b  t      string, integer, long, double, boolean,
 *                                 blob, timestamp
 *     s(A|B)                      a string with enumerated values
 *     *                           anything: not modelled, passed through
 *     [TYPE]   <TYPE>             a list; a map from strings to TYPE
 *     {Member:TYPE Member!:TYPE}  a structure; "!" marks a required member
 *     Name                        another named shape
 *
 * Member order is the service model's: the AWS CLI lists options, builds
 * skeletons and prints responses in that order, so kv does too.  Shapes
 * the CLI only passes through (replicas, global tables, import and export)
 * are "*".
 */
#include "cli_model.h"

#include <stddef.h>

const char *const model_shape_text[] = {
    /* Values and keys */
    "AttributeValue: {S:s N:s B:b SS:[s] NS:[s] BS:[b] M:<AttributeValue>"
    " L:[AttributeValue] NULL:bool BOOL:bool}",
    "AttributeMap: <AttributeValue>",
    "Key: <AttributeValue>",
    "TableName: s",
    "AttributeName: s",
    "ExpressionAttributeNameMap: <s>",
    "ExpressionAttributeValueMap: <AttributeValue>",
    "AttributeNameList: [AttributeName]",
    "ReturnConsumedCapacity: s(INDEXES|TOTAL|NONE)",
    "ReturnValue: s(NONE|ALL_OLD|UPDATED_OLD|ALL_NEW|UPDATED_NEW)",
    "ReturnItemCollectionMetrics: s(SIZE|NONE)",
    "ReturnValuesOnConditionCheckFailure: s(ALL_OLD|NONE)",
    "ConditionalOperator: s(AND|OR)",
    "ComparisonOperator: s(EQ|NE|IN|LE|LT|GE|GT|BETWEEN|NOT_NULL|NULL|CONTAINS|NOT_CONTAINS"
    "|BEGINS_WITH)",
    "Condition: {AttributeValueList:[AttributeValue] ComparisonOperator!:ComparisonOperator}",
    "ExpectedAttributeValue: {Value:AttributeValue Exists:bool"
    " ComparisonOperator:ComparisonOperator AttributeValueList:[AttributeValue]}",
    "AttributeValueUpdate: {Value:AttributeValue Action:s(ADD|PUT|DELETE)}",

    /* Table definitions */
    "AttributeDefinition: {AttributeName!:s AttributeType!:s(S|N|B)}",
    "KeySchemaElement: {AttributeName!:s KeyType!:s(HASH|RANGE)}",
    "KeySchema: [KeySchemaElement]",
    "ProvisionedThroughput: {ReadCapacityUnits!:l WriteCapacityUnits!:l}",
    "OnDemandThroughput: {MaxReadRequestUnits:l MaxWriteRequestUnits:l}",
    "WarmThroughput: {ReadUnitsPerSecond:l WriteUnitsPerSecond:l}",
    "Projection: {ProjectionType:s(ALL|KEYS_ONLY|INCLUDE) NonKeyAttributes:[s]}",
    "LocalSecondaryIndex: {IndexName!:s KeySchema!:KeySchema Projection!:Projection}",
    "GlobalSecondaryIndex: {IndexName!:s KeySchema!:KeySchema Projection!:Projection"
    " ProvisionedThroughput:ProvisionedThroughput OnDemandThroughput:OnDemandThroughput"
    " WarmThroughput:WarmThroughput}",
    "StreamSpecification: {StreamEnabled!:bool"
    " StreamViewType:s(NEW_IMAGE|OLD_IMAGE|NEW_AND_OLD_IMAGES|KEYS_ONLY)}",
    "SSESpecification: {Enabled:bool SSEType:s(AES256|KMS) KMSMasterKeyId:s}",
    "Tag: {Key!:s Value!:s}",
    "BillingMode: s(PROVISIONED|PAY_PER_REQUEST)",
    "TableClass: s(STANDARD|STANDARD_INFREQUENT_ACCESS)",
    "GlobalSecondaryIndexUpdate: {Update:{IndexName!:s"
    " ProvisionedThroughput:ProvisionedThroughput OnDemandThroughput:OnDemandThroughput"
    " WarmThroughput:WarmThroughput} Create:{IndexName!:s KeySchema!:KeySchema"
    " Projection!:Projection ProvisionedThroughput:ProvisionedThroughput"
    " OnDemandThroughput:OnDemandThroughput WarmThroughput:WarmThroughput}"
    " Delete:{IndexName!:s}}",
    "TimeToLiveSpecification: {Enabled!:bool AttributeName!:s}",

    /* Table descriptions */
    "ProvisionedThroughputDescription: {LastIncreaseDateTime:t LastDecreaseDateTime:t"
    " NumberOfDecreasesToday:l ReadCapacityUnits:l WriteCapacityUnits:l}",
    "BillingModeSummary: {BillingMode:s LastUpdateToPayPerRequestDateTime:t}",
    "LocalSecondaryIndexDescription: {IndexName:s KeySchema:KeySchema Projection:Projection"
    " IndexSizeBytes:l ItemCount:l IndexArn:s}",
    "GlobalSecondaryIndexDescription: {IndexName:s KeySchema:KeySchema Projection:Projection"
    " IndexStatus:s Backfilling:bool ProvisionedThroughput:ProvisionedThroughputDescription"
    " IndexSizeBytes:l ItemCount:l IndexArn:s OnDemandThroughput:OnDemandThroughput"
    " WarmThroughput:{ReadUnitsPerSecond:l WriteUnitsPerSecond:l Status:s}}",
    "TableDescription: {AttributeDefinitions:[AttributeDefinition] TableName:s"
    " KeySchema:KeySchema TableStatus:s CreationDateTime:t"
    " ProvisionedThroughput:ProvisionedThroughputDescription TableSizeBytes:l ItemCount:l"
    " TableArn:s TableId:s BillingModeSummary:BillingModeSummary"
    " LocalSecondaryIndexes:[LocalSecondaryIndexDescription]"
    " GlobalSecondaryIndexes:[GlobalSecondaryIndexDescription]"
    " StreamSpecification:StreamSpecification LatestStreamLabel:s LatestStreamArn:s"
    " GlobalTableVersion:s Replicas:* RestoreSummary:{SourceBackupArn:s SourceTableArn:s"
    " RestoreDateTime:t RestoreInProgress:bool} SSEDescription:{Status:s SSEType:s"
    " KMSMasterKeyArn:s InaccessibleEncryptionDateTime:t} ArchivalSummary:{ArchivalDateTime:t"
    " ArchivalReason:s ArchivalBackupArn:s} TableClassSummary:{TableClass:s"
    " LastUpdateDateTime:t} DeletionProtectionEnabled:bool"
    " OnDemandThroughput:OnDemandThroughput WarmThroughput:{ReadUnitsPerSecond:l"
    " WriteUnitsPerSecond:l Status:s} MultiRegionConsistency:s}",

    /* Responses */
    "Capacity: {ReadCapacityUnits:d WriteCapacityUnits:d CapacityUnits:d}",
    "ConsumedCapacity: {TableName:s CapacityUnits:d ReadCapacityUnits:d WriteCapacityUnits:d"
    " Table:Capacity LocalSecondaryIndexes:<Capacity> GlobalSecondaryIndexes:<Capacity>}",
    "ConsumedCapacityMultiple: [ConsumedCapacity]",
    "ItemCollectionMetrics: {ItemCollectionKey:<AttributeValue> SizeEstimateRangeGB:[d]}",
    "ItemCollectionMetricsPerTable: <[ItemCollectionMetrics]>",
    "KeysAndAttributes: {Keys!:[Key] AttributesToGet:AttributeNameList ConsistentRead:bool"
    " ProjectionExpression:s ExpressionAttributeNames:ExpressionAttributeNameMap}",
    "WriteRequest: {PutRequest:{Item!:AttributeMap} DeleteRequest:{Key!:Key}}",
    "BatchWriteItemRequestMap: <[WriteRequest]>",
    "TransactGetItem: {Get!:{Key!:Key TableName!:TableName ProjectionExpression:s"
    " ExpressionAttributeNames:ExpressionAttributeNameMap}}",
    "TransactWriteItem: {ConditionCheck:{Key!:Key TableName!:TableName"
    " ConditionExpression!:s ExpressionAttributeNames:ExpressionAttributeNameMap"
    " ExpressionAttributeValues:ExpressionAttributeValueMap"
    " ReturnValuesOnConditionCheckFailure:ReturnValuesOnConditionCheckFailure}"
    " Put:{Item!:AttributeMap TableName!:TableName ConditionExpression:s"
    " ExpressionAttributeNames:ExpressionAttributeNameMap"
    " ExpressionAttributeValues:ExpressionAttributeValueMap"
    " ReturnValuesOnConditionCheckFailure:ReturnValuesOnConditionCheckFailure}"
    " Delete:{Key!:Key TableName!:TableName ConditionExpression:s"
    " ExpressionAttributeNames:ExpressionAttributeNameMap"
    " ExpressionAttributeValues:ExpressionAttributeValueMap"
    " ReturnValuesOnConditionCheckFailure:ReturnValuesOnConditionCheckFailure}"
    " Update:{Key!:Key UpdateExpression!:s TableName!:TableName ConditionExpression:s"
    " ExpressionAttributeNames:ExpressionAttributeNameMap"
    " ExpressionAttributeValues:ExpressionAttributeValueMap"
    " ReturnValuesOnConditionCheckFailure:ReturnValuesOnConditionCheckFailure}}",

    /* Operations: inputs */
    "CreateTableInput: {AttributeDefinitions!:[AttributeDefinition] TableName!:TableName"
    " KeySchema!:KeySchema LocalSecondaryIndexes:[LocalSecondaryIndex]"
    " GlobalSecondaryIndexes:[GlobalSecondaryIndex] BillingMode:BillingMode"
    " ProvisionedThroughput:ProvisionedThroughput StreamSpecification:StreamSpecification"
    " SSESpecification:SSESpecification Tags:[Tag] TableClass:TableClass"
    " DeletionProtectionEnabled:bool WarmThroughput:WarmThroughput ResourcePolicy:s"
    " OnDemandThroughput:OnDemandThroughput}",
    "UpdateTableInput: {AttributeDefinitions:[AttributeDefinition] TableName!:TableName"
    " BillingMode:BillingMode ProvisionedThroughput:ProvisionedThroughput"
    " GlobalSecondaryIndexUpdates:[GlobalSecondaryIndexUpdate]"
    " StreamSpecification:StreamSpecification SSESpecification:SSESpecification"
    " ReplicaUpdates:* TableClass:TableClass DeletionProtectionEnabled:bool"
    " MultiRegionConsistency:s(EVENTUAL|STRONG) GlobalTableWitnessUpdates:*"
    " OnDemandThroughput:OnDemandThroughput WarmThroughput:WarmThroughput}",
    "DescribeTableInput: {TableName!:TableName}",
    "DeleteTableInput: {TableName!:TableName}",
    "ListTablesInput: {ExclusiveStartTableName:TableName Limit:i}",
    "PutItemInput: {TableName!:TableName Item!:AttributeMap"
    " Expected:<ExpectedAttributeValue> ReturnValues:ReturnValue"
    " ReturnConsumedCapacity:ReturnConsumedCapacity"
    " ReturnItemCollectionMetrics:ReturnItemCollectionMetrics"
    " ConditionalOperator:ConditionalOperator ConditionExpression:s"
    " ExpressionAttributeNames:ExpressionAttributeNameMap"
    " ExpressionAttributeValues:ExpressionAttributeValueMap"
    " ReturnValuesOnConditionCheckFailure:ReturnValuesOnConditionCheckFailure}",
    "GetItemInput: {TableName!:TableName Key!:Key AttributesToGet:AttributeNameList"
    " ConsistentRead:bool ReturnConsumedCapacity:ReturnConsumedCapacity"
    " ProjectionExpression:s ExpressionAttributeNames:ExpressionAttributeNameMap}",
    "UpdateItemInput: {TableName!:TableName Key!:Key AttributeUpdates:<AttributeValueUpdate>"
    " Expected:<ExpectedAttributeValue> ConditionalOperator:ConditionalOperator"
    " ReturnValues:ReturnValue ReturnConsumedCapacity:ReturnConsumedCapacity"
    " ReturnItemCollectionMetrics:ReturnItemCollectionMetrics UpdateExpression:s"
    " ConditionExpression:s ExpressionAttributeNames:ExpressionAttributeNameMap"
    " ExpressionAttributeValues:ExpressionAttributeValueMap"
    " ReturnValuesOnConditionCheckFailure:ReturnValuesOnConditionCheckFailure}",
    "DeleteItemInput: {TableName!:TableName Key!:Key Expected:<ExpectedAttributeValue>"
    " ConditionalOperator:ConditionalOperator ReturnValues:ReturnValue"
    " ReturnConsumedCapacity:ReturnConsumedCapacity"
    " ReturnItemCollectionMetrics:ReturnItemCollectionMetrics ConditionExpression:s"
    " ExpressionAttributeNames:ExpressionAttributeNameMap"
    " ExpressionAttributeValues:ExpressionAttributeValueMap"
    " ReturnValuesOnConditionCheckFailure:ReturnValuesOnConditionCheckFailure}",
    "QueryInput: {TableName!:TableName IndexName:s"
    " Select:s(ALL_ATTRIBUTES|ALL_PROJECTED_ATTRIBUTES|SPECIFIC_ATTRIBUTES|COUNT)"
    " AttributesToGet:AttributeNameList Limit:i ConsistentRead:bool KeyConditions:<Condition>"
    " QueryFilter:<Condition> ConditionalOperator:ConditionalOperator ScanIndexForward:bool"
    " ExclusiveStartKey:Key ReturnConsumedCapacity:ReturnConsumedCapacity"
    " ProjectionExpression:s FilterExpression:s KeyConditionExpression:s"
    " ExpressionAttributeNames:ExpressionAttributeNameMap"
    " ExpressionAttributeValues:ExpressionAttributeValueMap}",
    "ScanInput: {TableName!:TableName IndexName:s AttributesToGet:AttributeNameList Limit:i"
    " Select:s(ALL_ATTRIBUTES|ALL_PROJECTED_ATTRIBUTES|SPECIFIC_ATTRIBUTES|COUNT)"
    " ScanFilter:<Condition> ConditionalOperator:ConditionalOperator ExclusiveStartKey:Key"
    " ReturnConsumedCapacity:ReturnConsumedCapacity TotalSegments:i Segment:i"
    " ProjectionExpression:s FilterExpression:s"
    " ExpressionAttributeNames:ExpressionAttributeNameMap"
    " ExpressionAttributeValues:ExpressionAttributeValueMap ConsistentRead:bool}",
    "BatchGetItemInput: {RequestItems!:<KeysAndAttributes>"
    " ReturnConsumedCapacity:ReturnConsumedCapacity}",
    "BatchWriteItemInput: {RequestItems!:BatchWriteItemRequestMap"
    " ReturnConsumedCapacity:ReturnConsumedCapacity"
    " ReturnItemCollectionMetrics:ReturnItemCollectionMetrics}",
    "TransactGetItemsInput: {TransactItems!:[TransactGetItem]"
    " ReturnConsumedCapacity:ReturnConsumedCapacity}",
    "TransactWriteItemsInput: {TransactItems!:[TransactWriteItem]"
    " ReturnConsumedCapacity:ReturnConsumedCapacity"
    " ReturnItemCollectionMetrics:ReturnItemCollectionMetrics ClientRequestToken:s}",
    "UpdateTimeToLiveInput: {TableName!:TableName"
    " TimeToLiveSpecification!:TimeToLiveSpecification}",
    "DescribeTimeToLiveInput: {TableName!:TableName}",

    /* Operations: outputs */
    "CreateTableOutput: {TableDescription:TableDescription}",
    "UpdateTableOutput: {TableDescription:TableDescription}",
    "DeleteTableOutput: {TableDescription:TableDescription}",
    "DescribeTableOutput: {Table:TableDescription}",
    "ListTablesOutput: {TableNames:[TableName] LastEvaluatedTableName:TableName}",
    "PutItemOutput: {Attributes:AttributeMap ConsumedCapacity:ConsumedCapacity"
    " ItemCollectionMetrics:ItemCollectionMetrics}",
    "GetItemOutput: {Item:AttributeMap ConsumedCapacity:ConsumedCapacity}",
    "UpdateItemOutput: {Attributes:AttributeMap ConsumedCapacity:ConsumedCapacity"
    " ItemCollectionMetrics:ItemCollectionMetrics}",
    "DeleteItemOutput: {Attributes:AttributeMap ConsumedCapacity:ConsumedCapacity"
    " ItemCollectionMetrics:ItemCollectionMetrics}",
    "QueryOutput: {Items:[AttributeMap] Count:i ScannedCount:i LastEvaluatedKey:Key"
    " ConsumedCapacity:ConsumedCapacity}",
    "ScanOutput: {Items:[AttributeMap] Count:i ScannedCount:i LastEvaluatedKey:Key"
    " ConsumedCapacity:ConsumedCapacity}",
    "BatchGetItemOutput: {Responses:<[AttributeMap]> UnprocessedKeys:<KeysAndAttributes>"
    " ConsumedCapacity:ConsumedCapacityMultiple}",
    "BatchWriteItemOutput: {UnprocessedItems:BatchWriteItemRequestMap"
    " ItemCollectionMetrics:ItemCollectionMetricsPerTable"
    " ConsumedCapacity:ConsumedCapacityMultiple}",
    "TransactGetItemsOutput: {ConsumedCapacity:ConsumedCapacityMultiple"
    " Responses:[{Item:AttributeMap}]}",
    "TransactWriteItemsOutput: {ConsumedCapacity:ConsumedCapacityMultiple"
    " ItemCollectionMetrics:ItemCollectionMetricsPerTable}",
    "UpdateTimeToLiveOutput: {TimeToLiveSpecification:TimeToLiveSpecification}",
    "DescribeTimeToLiveOutput: {TimeToLiveDescription:{TimeToLiveStatus:s"
    "(ENABLING|DISABLING|ENABLED|DISABLED) AttributeName:s}}",
    NULL,
};
