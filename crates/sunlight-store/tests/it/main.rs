//! The store's behaviour suite. Every test runs on SQLite (a temporary file) and on PostgreSQL
//! (a fresh database per test on the server named by `SUNLIGHT_TEST_POSTGRES`, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`). Under `CI=true` a missing server fails the
//! PostgreSQL half instead of skipping it. `schema` compares a database of each.

mod blobs;
mod calendar;
mod feeds;
mod harness;
mod keys;
mod ledger;
mod privacy;
mod registry;
mod schema;

use harness::seed;
use sunlight_testkit::on_both_backends;

on_both_backends!(
    setup = seed;
    registry::regions_need_their_parent_and_departments_their_region,
    registry::login_locks_after_repeated_failures,
    registry::propose_review_publish,
    registry::an_editor_cannot_approve_their_own_proposal,
    registry::a_refused_batch_writes_nothing_and_names_each_change,
    registry::lifecycle_changes_become_versions,
    registry::publications_are_ledger_entries,
    registry::as_of_reads_and_future_versions,
    registry::effective_dates_never_go_backwards,
    registry::list_filters_and_pages_without_gaps,
    registry::concurrent_reviews_have_one_winner,
    registry::negative_list_is_replaced_whole,
    registry::consistency_reads_shared_basic_codes,
    calendar::shipped_calendars_load_once_and_layer_by_region,
    blobs::files_are_kept_by_digest_in_the_database_or_a_directory,
    ledger::proofs_from_the_store_verify,
    ledger::verify_names_an_edited_entry,
    ledger::verify_names_a_deleted_entry,
    ledger::verify_names_a_swapped_pair,
    ledger::verify_notices_a_truncated_log,
    ledger::awkward_text_survives_the_batch_write,
    keys::remembered_results_are_forgotten_after_a_week,
    feeds::fed_cases_are_counted_in_the_figures,
    privacy::leaves_hold_commitments_and_readers_get_the_values_back,
    privacy::erased_openings_read_as_erased_and_the_log_still_verifies,
    privacy::altered_or_stray_personal_values_are_named_by_verify,
    privacy::a_declared_relatives_id_number_stays_out_of_the_leaf,
);
