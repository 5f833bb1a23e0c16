using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "pipeline");

            migrationBuilder.CreateTable(
                name: "datasets",
                schema: "pipeline",
                columns: table => new
                {
                    dataset_id = table.Column<int>(type: "integer", nullable: false, comment: "Surrogate key.")
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.SerialColumn),
                    name = table.Column<string>(type: "text", nullable: false, comment: "Name given at import (pipeline dataset import --name); run specs refer to it."),
                    format = table.Column<string>(type: "text", nullable: false, comment: "Line format of the source file: 'math' (problem/solution/answer/subject/level/unique_id) or 'gsm8k' (question/answer with '#### final')."),
                    source_file = table.Column<string>(type: "text", nullable: false, comment: "Path of the imported file, as given on the command line."),
                    problem_count = table.Column<int>(type: "integer", nullable: false, comment: "Number of problems imported (rows in problems)."),
                    imported_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, comment: "When the import committed.")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_datasets", x => x.dataset_id);
                    table.CheckConstraint("ck_datasets_format", "format IN ('math', 'gsm8k')");
                },
                comment: "One imported problem file (MATH/PRM800K or GSM8K JSONL).");

            migrationBuilder.CreateTable(
                name: "problems",
                schema: "pipeline",
                columns: table => new
                {
                    problem_id = table.Column<long>(type: "bigint", nullable: false, comment: "Surrogate key (bigserial).")
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.SerialColumn),
                    dataset_id = table.Column<int>(type: "integer", nullable: false, comment: "Dataset the problem belongs to."),
                    ordinal = table.Column<int>(type: "integer", nullable: false, comment: "0-based position of the problem in the source file (blank lines skipped)."),
                    unique_id = table.Column<string>(type: "text", nullable: false, comment: "Identifier from the file (MATH: unique_id such as 'test/algebra/1.json'); GSM8K and files without one: 'line-<n>'."),
                    problem = table.Column<string>(type: "text", nullable: false, comment: "Problem statement as shown to the policy model."),
                    solution = table.Column<string>(type: "text", nullable: true, comment: "Reference solution (MATH: full solution; GSM8K: the worked answer before '####'); NULL if the file has none."),
                    answer = table.Column<string>(type: "text", nullable: false, comment: "Gold final answer (GSM8K: the text after '####')."),
                    subject = table.Column<string>(type: "text", nullable: true, comment: "MATH subject (e.g. 'Algebra'); NULL for GSM8K."),
                    level = table.Column<int>(type: "integer", nullable: true, comment: "MATH difficulty level 1-5 as given by the dataset; NULL for GSM8K.")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_problems", x => x.problem_id);
                    table.ForeignKey(
                        name: "fk_problems_datasets_dataset_id",
                        column: x => x.dataset_id,
                        principalSchema: "pipeline",
                        principalTable: "datasets",
                        principalColumn: "dataset_id",
                        onDelete: ReferentialAction.Cascade);
                },
                comment: "One question of a dataset, with its gold answer.");

            migrationBuilder.CreateTable(
                name: "runs",
                schema: "pipeline",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false, comment: "Run id printed by 'pipeline run submit'; carried in every message."),
                    name = table.Column<string>(type: "text", nullable: false, comment: "Name from the run spec."),
                    dataset_id = table.Column<int>(type: "integer", nullable: false, comment: "Dataset the run's problems come from."),
                    spec_json = table.Column<string>(type: "jsonb", nullable: false, comment: "The run spec exactly as submitted (YAML converted to JSON), for provenance; everything analysts query is also a column."),
                    policy_model = table.Column<string>(type: "text", nullable: false, comment: "Policy model name from its manifest."),
                    prm_model = table.Column<string>(type: "text", nullable: false, comment: "Process reward model name from its manifest."),
                    revision_model = table.Column<string>(type: "text", nullable: true, comment: "Revision model name from its manifest; NULL when the spec has none."),
                    policy_model_path = table.Column<string>(type: "text", nullable: false, comment: "Path of the policy manifest (*.manifest.json) as given in the spec."),
                    prm_model_path = table.Column<string>(type: "text", nullable: false, comment: "Path of the PRM manifest as given in the spec."),
                    revision_model_path = table.Column<string>(type: "text", nullable: true, comment: "Path of the revision model manifest; NULL when none."),
                    policy_parameters = table.Column<long>(type: "bigint", nullable: false, comment: "Policy parameter count from its manifest (FLOPs: 2 x params per token)."),
                    prm_parameters = table.Column<long>(type: "bigint", nullable: false, comment: "PRM parameter count from its manifest."),
                    temperature = table.Column<float>(type: "real", nullable: false, comment: "Sampling temperature (0 = greedy)."),
                    top_p = table.Column<float>(type: "real", nullable: false, comment: "Nucleus sampling threshold (1 = off)."),
                    max_new_tokens = table.Column<int>(type: "integer", nullable: false, comment: "Token limit of one generation call (one step or one whole solution)."),
                    max_steps = table.Column<int>(type: "integer", nullable: false, comment: "Most steps in one solution."),
                    seed = table.Column<long>(type: "bigint", nullable: false, comment: "Base random seed; per-request seeds derive from it."),
                    status = table.Column<string>(type: "text", nullable: false, comment: "'submitted' (searches published), 'running', or 'done' (every search done or failed)."),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, comment: "When the run was submitted."),
                    finished_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true, comment: "When the last search finished; NULL while running.")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_runs", x => x.run_id);
                    table.CheckConstraint("ck_runs_status", "status IN ('submitted', 'running', 'done')");
                    table.ForeignKey(
                        name: "fk_runs_datasets_dataset_id",
                        column: x => x.dataset_id,
                        principalSchema: "pipeline",
                        principalTable: "datasets",
                        principalColumn: "dataset_id",
                        onDelete: ReferentialAction.Restrict);
                },
                comment: "One submitted experiment: dataset x models x strategy configs x budgets x seed.");

            migrationBuilder.CreateTable(
                name: "searches",
                schema: "pipeline",
                columns: table => new
                {
                    search_id = table.Column<long>(type: "bigint", nullable: false, comment: "Surrogate key (bigserial); carried in every message of the search.")
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.SerialColumn),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false, comment: "Run the search belongs to."),
                    problem_id = table.Column<long>(type: "bigint", nullable: false, comment: "Problem searched."),
                    strategy = table.Column<string>(type: "text", nullable: false, comment: "'best_of_n', 'beam', 'lookahead', 'dvts' or 'revisions'."),
                    strategy_label = table.Column<string>(type: "text", nullable: false, comment: "Strategy with its parameters, e.g. 'beam(M=4)', 'beam(M=sqrt)', 'lookahead(M=4,k=1)'; groups results in reports."),
                    budget = table.Column<int>(type: "integer", nullable: false, comment: "Generation budget N (best-of-N and DVTS also report every smaller power of two from this one search)."),
                    beam_width = table.Column<int>(type: "integer", nullable: true, comment: "Beam width M as used (for sqrt: round(sqrt(N))); NULL for best_of_n and revisions."),
                    beam_width_is_sqrt = table.Column<bool>(type: "boolean", nullable: false, comment: "True when the spec asked for M = sqrt(N)."),
                    lookahead = table.Column<int>(type: "integer", nullable: false, comment: "Lookahead rollout length k (0 = plain beam search)."),
                    chain_length = table.Column<int>(type: "integer", nullable: true, comment: "Revision chain length L (N/L parallel chains); NULL for other strategies."),
                    max_rounds = table.Column<int>(type: "integer", nullable: false, comment: "Most rounds (expansion steps, or revisions) the search may take."),
                    status = table.Column<string>(type: "text", nullable: false, comment: "'pending' (not started), 'running', 'done' or 'failed'."),
                    current_round = table.Column<int>(type: "integer", nullable: false, defaultValue: -1, comment: "Last round requested from the workers; -1 before the first."),
                    round_requested_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true, comment: "When the current round was requested."),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true, comment: "When the Aggregator started the search."),
                    finished_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true, comment: "When the search was finalized (outcomes written).")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_searches", x => x.search_id);
                    table.CheckConstraint("ck_searches_status", "status IN ('pending', 'running', 'done', 'failed')");
                    table.CheckConstraint("ck_searches_strategy", "strategy IN ('best_of_n', 'beam', 'lookahead', 'dvts', 'revisions')");
                    table.ForeignKey(
                        name: "fk_searches_problems_problem_id",
                        column: x => x.problem_id,
                        principalSchema: "pipeline",
                        principalTable: "problems",
                        principalColumn: "problem_id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_searches_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "pipeline",
                        principalTable: "runs",
                        principalColumn: "run_id",
                        onDelete: ReferentialAction.Cascade);
                },
                comment: "One search: one problem x one strategy config x one budget. Its state machine lives in the Aggregator.");

            migrationBuilder.CreateTable(
                name: "outcomes",
                schema: "pipeline",
                columns: table => new
                {
                    search_id = table.Column<long>(type: "bigint", nullable: false, comment: "Search the outcome belongs to."),
                    budget_n = table.Column<int>(type: "integer", nullable: false, comment: "Budget n the outcome is for (best-of-N and DVTS: every power of two up to the search budget, from its first n samples)."),
                    aggregator = table.Column<string>(type: "text", nullable: false, comment: "'weighted' (sum of scores per distinct answer), 'majority', 'naive' (highest score) or 'pass' (oracle pass@n)."),
                    step_aggregation = table.Column<string>(type: "text", nullable: false, comment: "How step scores make a solution score: 'last', 'min', 'prod', 'mean'; 'none' for aggregators that ignore scores."),
                    chosen_answer = table.Column<string>(type: "text", nullable: true, comment: "Answer chosen; NULL when no candidate reached an answer."),
                    is_correct = table.Column<bool>(type: "boolean", nullable: false, comment: "Chosen answer graded against the gold answer (pass: any candidate correct)."),
                    generated_tokens = table.Column<long>(type: "bigint", nullable: false, comment: "Tokens generated to reach this outcome (policy, revision and lookahead)."),
                    prompt_tokens = table.Column<long>(type: "bigint", nullable: false, comment: "Prompt tokens processed to reach this outcome."),
                    flops = table.Column<double>(type: "double precision", nullable: false, comment: "Inference FLOPs: 2 x parameters x tokens, policy and PRM together.")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outcomes", x => new { x.search_id, x.budget_n, x.aggregator, x.step_aggregation });
                    table.CheckConstraint("ck_outcomes_aggregator", "aggregator IN ('weighted', 'majority', 'naive', 'pass')");
                    table.CheckConstraint("ck_outcomes_step_aggregation", "step_aggregation IN ('last', 'min', 'prod', 'mean', 'none')");
                    table.ForeignKey(
                        name: "fk_outcomes_searches_search_id",
                        column: x => x.search_id,
                        principalSchema: "pipeline",
                        principalTable: "searches",
                        principalColumn: "search_id",
                        onDelete: ReferentialAction.Cascade);
                },
                comment: "Final answer of one search at one budget with one answer aggregator and one PRM step aggregation.");

            migrationBuilder.CreateTable(
                name: "search_rounds",
                schema: "pipeline",
                columns: table => new
                {
                    search_id = table.Column<long>(type: "bigint", nullable: false, comment: "Search the round belongs to."),
                    round = table.Column<int>(type: "integer", nullable: false, comment: "Round number, 0-based."),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, comment: "When the round's scored results were stored."),
                    candidates = table.Column<int>(type: "integer", nullable: false, comment: "Samples generated in the round."),
                    generated_tokens = table.Column<long>(type: "bigint", nullable: false, comment: "Tokens generated in the round, lookahead rollouts included.")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_search_rounds", x => new { x.search_id, x.round });
                    table.ForeignKey(
                        name: "fk_search_rounds_searches_search_id",
                        column: x => x.search_id,
                        principalSchema: "pipeline",
                        principalTable: "searches",
                        principalColumn: "search_id",
                        onDelete: ReferentialAction.Cascade);
                },
                comment: "One row per stored round of a search; written in the same transaction as the round's steps, so a redelivered round is detected and changes nothing.");

            migrationBuilder.CreateTable(
                name: "steps",
                schema: "pipeline",
                columns: table => new
                {
                    search_id = table.Column<long>(type: "bigint", nullable: false, comment: "Search the step belongs to."),
                    node_id = table.Column<long>(type: "bigint", nullable: false, comment: "Node id, sequential within the search."),
                    parent_node_id = table.Column<long>(type: "bigint", nullable: true, comment: "Parent node; NULL = first step (child of the problem)."),
                    depth = table.Column<int>(type: "integer", nullable: false, comment: "Steps from the root: 1 = first step."),
                    round = table.Column<int>(type: "integer", nullable: false, comment: "Round that generated the step."),
                    request_index = table.Column<int>(type: "integer", nullable: false, comment: "Index of the expansion request within its round."),
                    sample_index = table.Column<int>(type: "integer", nullable: false, comment: "Sample index within the expansion request."),
                    step_index = table.Column<int>(type: "integer", nullable: false, comment: "Position among the new steps of that sample (0 in step mode; 0..k-1 for whole solutions)."),
                    text = table.Column<string>(type: "text", nullable: false, comment: "Step text without the step delimiter."),
                    prompt_tokens = table.Column<int>(type: "integer", nullable: false, comment: "Prompt tokens of the generation call that produced the step, on the sample's first new step only; 0 on the others."),
                    generated_tokens = table.Column<int>(type: "integer", nullable: false, comment: "Tokens generated for this step."),
                    lookahead_tokens = table.Column<int>(type: "integer", nullable: false, comment: "Tokens generated by the lookahead rollout after this step (0 without lookahead)."),
                    prm_score = table.Column<float>(type: "real", nullable: false, comment: "PRM score of the prefix ending at this step, in [0,1]."),
                    lookahead_score = table.Column<float>(type: "real", nullable: true, comment: "PRM score at the end of the lookahead rollout; NULL without lookahead."),
                    terminal = table.Column<bool>(type: "boolean", nullable: false, comment: "True when the solution ends with this step."),
                    finish_reason = table.Column<string>(type: "text", nullable: true, comment: "Why generation stopped after this step: 'delimiter', 'eos', 'length' or 'max_steps'; NULL on non-final steps of a multi-step sample."),
                    extracted_answer = table.Column<string>(type: "text", nullable: true, comment: "Final answer extracted from a terminal step; NULL otherwise."),
                    is_correct = table.Column<bool>(type: "boolean", nullable: true, comment: "Extracted answer graded against the gold answer; NULL when not terminal.")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_steps", x => new { x.search_id, x.node_id });
                    table.ForeignKey(
                        name: "fk_steps_searches_search_id",
                        column: x => x.search_id,
                        principalSchema: "pipeline",
                        principalTable: "searches",
                        principalColumn: "search_id",
                        onDelete: ReferentialAction.Cascade);
                },
                comment: "One generated step = one node of a search tree, with its PRM score and token costs. Written by binary COPY.");

            migrationBuilder.CreateIndex(
                name: "ix_datasets_name",
                schema: "pipeline",
                table: "datasets",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_problems_dataset_id_unique_id",
                schema: "pipeline",
                table: "problems",
                columns: new[] { "dataset_id", "unique_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_runs_dataset_id",
                schema: "pipeline",
                table: "runs",
                column: "dataset_id");

            migrationBuilder.CreateIndex(
                name: "ix_searches_problem_id",
                schema: "pipeline",
                table: "searches",
                column: "problem_id");

            migrationBuilder.CreateIndex(
                name: "ix_searches_run_id_problem_id_strategy_label_budget",
                schema: "pipeline",
                table: "searches",
                columns: new[] { "run_id", "problem_id", "strategy_label", "budget" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_searches_run_id_status",
                schema: "pipeline",
                table: "searches",
                columns: new[] { "run_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_steps_search_id_round_request_index_sample_index_step_index",
                schema: "pipeline",
                table: "steps",
                columns: new[] { "search_id", "round", "request_index", "sample_index", "step_index" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "outcomes",
                schema: "pipeline");

            migrationBuilder.DropTable(
                name: "search_rounds",
                schema: "pipeline");

            migrationBuilder.DropTable(
                name: "steps",
                schema: "pipeline");

            migrationBuilder.DropTable(
                name: "searches",
                schema: "pipeline");

            migrationBuilder.DropTable(
                name: "problems",
                schema: "pipeline");

            migrationBuilder.DropTable(
                name: "runs",
                schema: "pipeline");

            migrationBuilder.DropTable(
                name: "datasets",
                schema: "pipeline");
        }
    }
}
