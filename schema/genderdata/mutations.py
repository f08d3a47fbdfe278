"""Writes of the gender-data domain: framework versions and the submission workflow."""

# No `from __future__ import annotations`: strawberry must see the real payload classes.

from typing import Annotated, Any, cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload as UploadScalar
from strawberry.scalars import JSON

from cms.errors import ErrorCode, FieldError, ValidationFailed
from cms.services import frameworks, genderdata
from schema.context import Info
from schema.core.ids import database_id
from schema.core.payloads import MutationError, attempt, require_principal, require_tenant
from schema.genderdata.types import FrameworkVersionType, SubmissionType


@strawberry.input(description="A new version of a framework (made if its code is new).")
class DefineDataFrameworkInput:
    code: str = strawberry.field(description="Stable code, e.g. genera.")
    name: str = strawberry.field(description="Human name.")
    definition: JSON = strawberry.field(description="Dimensions and indicators.")
    first_year: int = strawberry.field(name="firstYear", description="First year covered.")
    last_year: int = strawberry.field(name="lastYear", description="Last year covered.")
    threshold: int = strawberry.field(default=5, description="Smallest count shown.")
    min_institutes: int = strawberry.field(
        name="minInstitutes", default=3, description="Fewest institutes an aggregate covers."
    )


@strawberry.type(description="The result of a framework version mutation.")
class DataFrameworkVersionPayload:
    version: FrameworkVersionType | None = strawberry.field(default=None, description="Saved.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of a submission mutation.")
class DataSubmissionPayload:
    submission: SubmissionType | None = strawberry.field(default=None, description="Saved.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list,
        description="Empty on success; field-level codes name the cell (figures.staff.A|men) "
        "or CSV line (csv.line7).",
    )


async def _run(work: Any) -> DataSubmissionPayload:
    return await attempt(
        work,
        lambda row: DataSubmissionPayload(submission=SubmissionType.from_model(row)),
        lambda errors: DataSubmissionPayload(errors=errors),
    )


async def _csv_file(file: Any) -> str:
    """The text of an uploaded CSV, read no further than its bound."""
    if not isinstance(file, UploadFile):
        raise ValidationFailed(
            [FieldError("file", "Send the CSV as a multipart upload.", ErrorCode.NOT_A_FILE)]
        )
    data = await file.read(frameworks.MAX_CSV_BYTES + 1)
    if len(data) > frameworks.MAX_CSV_BYTES:
        message = f"A CSV is at most {frameworks.MAX_CSV_BYTES} bytes."
        raise ValidationFailed([FieldError("file", message, ErrorCode.FILE_TOO_LARGE)])
    if not data:
        raise ValidationFailed([FieldError("file", "The file is empty.", ErrorCode.EMPTY_FILE)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = "The CSV must be UTF-8 text."
        raise ValidationFailed([FieldError("file", message, ErrorCode.INVALID_CSV)]) from None


class GenderDataMutation:
    """Stewards define and validate; institutes enter and submit their figures."""

    @strawberry.mutation(name="defineDataFramework", description="Stewards: a new draft version.")
    async def define_data_framework(
        self, info: Info, input: DefineDataFrameworkInput
    ) -> DataFrameworkVersionPayload:
        async def work() -> Any:
            return await genderdata.define_framework(
                require_principal(info), require_tenant(info), input.code, input.name,
                cast(dict[str, Any], input.definition), input.first_year, input.last_year,
                threshold=input.threshold, min_institutes=input.min_institutes,
            )  # fmt: skip

        return await attempt(
            work,
            lambda row: DataFrameworkVersionPayload(version=FrameworkVersionType.from_model(row)),
            lambda errors: DataFrameworkVersionPayload(errors=errors),
        )

    @strawberry.mutation(
        name="publishDataFrameworkVersion", description="Stewards: publish a version."
    )
    async def publish_data_framework_version(
        self, info: Info, id: strawberry.ID
    ) -> DataFrameworkVersionPayload:
        async def work() -> Any:
            pk = database_id(id, "DataFrameworkVersion", "id")
            return await genderdata.publish_version(
                require_principal(info), require_tenant(info), pk
            )

        return await attempt(
            work,
            lambda row: DataFrameworkVersionPayload(version=FrameworkVersionType.from_model(row)),
            lambda errors: DataFrameworkVersionPayload(errors=errors),
        )

    @strawberry.mutation(
        name="saveDataSubmission",
        description="An institute's figures for a year, as `figures`, as the filled-in CSV "
        "template in `csv`, or as that CSV sent as a multipart `file` (at most 1 MB): creates "
        "the draft or corrects it (a new revision).",
    )
    async def save_data_submission(
        self,
        info: Info,
        code: str,
        organisation_id: Annotated[strawberry.ID, strawberry.argument(name="organisationId")],
        year: int,
        figures: JSON | None = None,
        csv: str | None = None,
        file: Annotated[
            UploadScalar | None,
            strawberry.argument(description="The filled-in CSV template as a multipart file."),
        ] = None,
    ) -> DataSubmissionPayload:
        async def work() -> Any:
            principal, tenant = require_principal(info), require_tenant(info)
            org = database_id(organisation_id, "Organisation", "organisationId")
            text = await _csv_file(file) if file is not None else csv
            if text is not None:
                return await genderdata.save_csv(principal, tenant, code, org, year, text)
            return await genderdata.save_figures(
                principal, tenant, code, org, year, cast(dict[str, dict[str, Any]], figures or {})
            )

        return await _run(work)

    @strawberry.mutation(name="submitDataSubmission", description="Institute: submit it.")
    async def submit_data_submission(self, info: Info, id: strawberry.ID) -> DataSubmissionPayload:
        async def work() -> Any:
            pk = database_id(id, "DataSubmission", "id")
            return await genderdata.submit(require_principal(info), require_tenant(info), pk)

        return await _run(work)

    @strawberry.mutation(name="validateDataSubmission", description="Stewards: validate it.")
    async def validate_data_submission(
        self, info: Info, id: strawberry.ID
    ) -> DataSubmissionPayload:
        async def work() -> Any:
            pk = database_id(id, "DataSubmission", "id")
            return await genderdata.validate(require_principal(info), require_tenant(info), pk)

        return await _run(work)

    @strawberry.mutation(
        name="returnDataSubmission", description="Stewards: send it back with comments."
    )
    async def return_data_submission(
        self, info: Info, id: strawberry.ID, comments: str
    ) -> DataSubmissionPayload:
        async def work() -> Any:
            pk = database_id(id, "DataSubmission", "id")
            return await genderdata.return_submission(
                require_principal(info), require_tenant(info), pk, comments
            )

        return await _run(work)
