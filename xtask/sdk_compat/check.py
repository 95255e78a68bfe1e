"""genie-sandbox against the official Databricks Python SDK.

Run by `cargo xtask sdk-compat`, which starts `genie-opt sandbox --fixture fixtures/retail`
and passes its address and token in GENIE_SANDBOX_HOST and GENIE_SANDBOX_TOKEN. Every
check runs (a failing one does not stop the others); each prints PASS or FAIL with the
reason, and the exit status is 1 when any failed.
"""

import json
import os
import sys
import time
import traceback
from datetime import timedelta

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound
from databricks.sdk.service.dashboards import MessageStatus
from databricks.sdk.service.sql import StatementParameterListItem, StatementState

# The question the created space answers from its one example SQL.
QUESTION = "How many stores are there?"
EXAMPLE_SQL = "SELECT COUNT(*) AS store_count FROM main.retail.str_dim"
STORE_COUNT = "20"


def created_space_document():
    """A serialized space over one retail table with one example SQL."""
    return {
        "version": 2,
        "data_sources": {
            "tables": [
                {"identifier": "main.retail.str_dim", "description": ["Stores"]}
            ]
        },
        "instructions": {
            "example_question_sqls": [
                {
                    "id": "01f0cc00000000000000000000000001",
                    "question": [QUESTION],
                    "sql": [EXAMPLE_SQL],
                }
            ]
        },
    }


class Checks:
    """The checks, sharing the client and what earlier checks found."""

    def __init__(self, client):
        self.client = client
        self.warehouse_id = None
        self.production_id = None
        self.created_id = None
        self.failures = []

    def run(self, name, check):
        try:
            check()
        except Exception:  # noqa: BLE001 - every failure is reported, none stops the run
            self.failures.append(name)
            print(f"FAIL {name}\n{traceback.format_exc()}", flush=True)
        else:
            print(f"PASS {name}", flush=True)

    def warehouses(self):
        warehouses = list(self.client.warehouses.list())
        assert len(warehouses) == 1, warehouses
        assert warehouses[0].id, warehouses
        self.warehouse_id = warehouses[0].id

    def list_spaces(self):
        listed = self.client.genie.list_spaces(page_size=10)
        assert listed.spaces, listed
        production = [s for s in listed.spaces if (s.title or "").endswith("(production)")]
        assert len(production) == 1, listed.spaces
        assert production[0].serialized_space is None, "list items carry no config"
        self.production_id = production[0].space_id

    def get_space(self):
        space = self.client.genie.get_space(self.production_id, include_serialized_space=True)
        assert space.space_id == self.production_id, space
        document = json.loads(space.serialized_space)
        assert document["version"] == 2, document
        identifiers = [t["identifier"] for t in document["data_sources"]["tables"]]
        assert "main.retail.ord_hdr" in identifiers, identifiers
        assert identifiers == sorted(identifiers), identifiers

    def create_space(self):
        created = self.client.genie.create_space(
            warehouse_id=self.warehouse_id,
            serialized_space=json.dumps(created_space_document()),
            title="sdk-compat",
            description="Created by cargo xtask sdk-compat",
        )
        assert len(created.space_id) == 32, created
        assert created.title == "sdk-compat", created
        self.created_id = created.space_id
        again = self.client.genie.get_space(self.created_id, include_serialized_space=True)
        examples = json.loads(again.serialized_space)["instructions"]["example_question_sqls"]
        assert examples[0]["question"] == [QUESTION], examples

    def update_space(self):
        updated = self.client.genie.update_space(
            self.created_id, title="sdk-compat (renamed)", description="Renamed"
        )
        assert updated.title == "sdk-compat (renamed)", updated
        assert updated.description == "Renamed", updated

    def statement_succeeds(self):
        response = self.client.statement_execution.execute_statement(
            statement="SELECT rgn_cd, COUNT(*) AS stores FROM main.retail.str_dim "
            "GROUP BY rgn_cd ORDER BY rgn_cd",
            warehouse_id=self.warehouse_id,
            wait_timeout="30s",
        )
        assert response.status.state == StatementState.SUCCEEDED, response.status
        columns = response.manifest.schema.columns
        assert [c.name for c in columns] == ["rgn_cd", "stores"], columns
        assert columns[1].type_name.value == "LONG", columns[1]
        assert response.result.data_array[0] == ["MW", "4"], response.result.data_array
        assert response.manifest.total_row_count == 5, response.manifest

    def statement_with_parameters(self):
        response = self.client.statement_execution.execute_statement(
            statement="SELECT COUNT(*) FROM main.retail.str_dim WHERE rgn_cd = :region",
            warehouse_id=self.warehouse_id,
            parameters=[StatementParameterListItem(name="region", value="NE")],
            wait_timeout="30s",
        )
        assert response.status.state == StatementState.SUCCEEDED, response.status
        assert response.result.data_array == [["4"]], response.result.data_array

    def metadata_statements(self):
        execute = self.client.statement_execution.execute_statement
        changed = execute(
            statement="COMMENT ON TABLE main.retail.str_dim IS 'One row per store'",
            warehouse_id=self.warehouse_id,
            wait_timeout="30s",
        )
        assert changed.status.state == StatementState.SUCCEEDED, changed.status
        read = execute(
            statement="SELECT comment FROM main.information_schema.tables "
            "WHERE table_schema = 'retail' AND table_name = 'str_dim'",
            warehouse_id=self.warehouse_id,
            wait_timeout="30s",
        )
        assert read.result.data_array == [["One row per store"]], read.result

    def statement_fails(self):
        response = self.client.statement_execution.execute_statement(
            statement="SELECT * FROM main.retail.no_such_table",
            warehouse_id=self.warehouse_id,
            wait_timeout="30s",
        )
        assert response.status.state == StatementState.FAILED, response.status
        assert "TABLE_OR_VIEW_NOT_FOUND" in response.status.error.message, response.status

    def conversation(self):
        message = self.client.genie.start_conversation_and_wait(
            self.created_id, QUESTION, timeout=timedelta(seconds=120)
        )
        assert message.status == MessageStatus.COMPLETED, message
        queries = [a for a in message.attachments or [] if a.query is not None]
        assert len(queries) == 1, message.attachments
        attachment = queries[0]
        assert "main.retail.str_dim" in attachment.query.query, attachment.query
        result = self.client.genie.get_message_attachment_query_result(
            self.created_id,
            message.conversation_id,
            message.message_id,
            attachment.attachment_id,
        )
        statement = result.statement_response
        assert statement.status.state == StatementState.SUCCEEDED, statement.status
        assert statement.result.data_array == [[STORE_COUNT]], statement.result

    def trash_space(self):
        self.client.genie.trash_space(self.created_id)
        listed = self.client.genie.list_spaces(page_size=100)
        assert self.created_id not in [s.space_id for s in listed.spaces or []], listed
        try:
            self.client.genie.get_space(self.created_id)
        except NotFound:
            pass
        else:
            raise AssertionError("a trashed space is still found")


def main():
    client = WorkspaceClient(
        host=os.environ["GENIE_SANDBOX_HOST"],
        token=os.environ["GENIE_SANDBOX_TOKEN"],
        auth_type="pat",
    )
    checks = Checks(client)
    started = time.monotonic()
    for name in [
        "warehouses",
        "list_spaces",
        "get_space",
        "create_space",
        "update_space",
        "statement_succeeds",
        "statement_with_parameters",
        "metadata_statements",
        "statement_fails",
        "conversation",
        "trash_space",
    ]:
        checks.run(name, getattr(checks, name))
    elapsed = time.monotonic() - started
    if checks.failures:
        print(f"sdk-compat: {len(checks.failures)} failed: {', '.join(checks.failures)} "
              f"({elapsed:.1f} s)")
        return 1
    print(f"sdk-compat: all checks passed ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
