/*
 * test_status.c -- the status table covers the enum, and each code maps to
 * DynamoDB's exception name.
 */
#include "fixture.h"
#include "err.h"

#include <string.h>

static void
status01_every_code_named(void **state)
{
    (void)state;
    static const kv_status all[] = {
        KV_VALIDATION, KV_SERIALIZATION, KV_RESOURCE_NOT_FOUND, KV_RESOURCE_IN_USE,
        KV_CONDITIONAL_CHECK_FAILED, KV_PROVISIONED_THROUGHPUT_EXCEEDED, KV_THROTTLING,
        KV_REQUEST_LIMIT_EXCEEDED, KV_LIMIT_EXCEEDED, KV_TRANSACTION_CANCELED,
        KV_TRANSACTION_CONFLICT, KV_TRANSACTION_IN_PROGRESS, KV_IDEMPOTENT_PARAMETER_MISMATCH,
        KV_ITEM_COLLECTION_SIZE_LIMIT_EXCEEDED, KV_UNKNOWN_OPERATION, KV_INTERNAL, KV_NOMEM,
        KV_IO, KV_CORRUPT, KV_MISUSE,
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        assert_true(strlen(kv_status_name(all[i])) > 0);
        assert_string_not_equal(kv_status_str(all[i]), "unknown status");
    }
    assert_string_equal(kv_status_name(KV_OK), "");
    assert_string_equal(kv_status_str((kv_status)999), "unknown status");
}

static void
status02_exception_names(void **state)
{
    (void)state;
    assert_string_equal(kv_status_name(KV_VALIDATION), "ValidationException");
    assert_string_equal(kv_status_name(KV_RESOURCE_NOT_FOUND), "ResourceNotFoundException");
    assert_string_equal(kv_status_name(KV_PROVISIONED_THROUGHPUT_EXCEEDED),
                        "ProvisionedThroughputExceededException");
    assert_string_equal(kv_status_name(KV_CORRUPT), "InternalServerError");
    assert_string_equal(status_namespace(KV_VALIDATION), "com.amazon.coral.validate");
    assert_string_equal(status_namespace(KV_RESOURCE_IN_USE),
                        "com.amazonaws.dynamodb.v20120810");
}

static void
status03_first_error_wins(void **state)
{
    (void)state;
    struct kv_err e;
    err_init(&e);
    assert_int_equal(err_set(&e, KV_VALIDATION, "first %d", 1), KV_VALIDATION);
    assert_int_equal(err_set(&e, KV_IO, "second"), KV_VALIDATION);
    assert_string_equal(err_message(&e), "first 1");
    err_clear(&e);
    assert_int_equal(e.status, KV_OK);
    assert_string_equal(err_message(&e), "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status01_every_code_named),
        cmocka_unit_test(status02_exception_names),
        cmocka_unit_test(status03_first_error_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
