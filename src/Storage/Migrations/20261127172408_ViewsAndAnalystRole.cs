using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <summary>Analyst views and the read-only role. Kept as literal SQL here (not shared constants) so that
    /// this migration keeps meaning what it meant when it shipped; a later change to a view is a new migration.</summary>
    public partial class ViewsAndAnalystRole : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A best-of-N config submitted with budgets [16, 64] reports n = 16 twice (directly, and nested
            // from the 64 run): keep one outcome per problem, from the smallest search budget that has it.
            migrationBuilder.Sql("""
                CREATE VIEW pipeline.outcomes_per_problem AS
                SELECT DISTINCT ON (s.run_id, s.strategy_label, o.budget_n, o.aggregator, o.step_aggregation, s.problem_id)
                       s.run_id, s.strategy, s.strategy_label, o.budget_n, o.aggregator, o.step_aggregation,
                       s.problem_id, p.level, o.search_id, o.chosen_answer, o.is_correct,
                       o.generated_tokens, o.prompt_tokens, o.flops
                FROM pipeline.outcomes o
                JOIN pipeline.searches s ON s.search_id = o.search_id
                JOIN pipeline.problems p ON p.problem_id = s.problem_id
                ORDER BY s.run_id, s.strategy_label, o.budget_n, o.aggregator, o.step_aggregation, s.problem_id, s.budget;

                COMMENT ON VIEW pipeline.outcomes_per_problem IS 'One outcome per run x strategy config x budget n x aggregator x step aggregation x problem (duplicates from nested budgets removed: the smallest search budget wins).';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.run_id IS 'Run.';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.strategy IS 'Strategy kind (best_of_n, beam, lookahead, dvts, revisions).';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.strategy_label IS 'Strategy with parameters, e.g. beam(M=4).';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.budget_n IS 'Generation budget n.';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.aggregator IS 'Answer aggregator (weighted, majority, naive, pass).';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.step_aggregation IS 'PRM step aggregation (last, min, prod, mean, none).';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.problem_id IS 'Problem.';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.level IS 'Dataset difficulty level (MATH 1-5; NULL for GSM8K).';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.search_id IS 'Search the outcome comes from.';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.chosen_answer IS 'Answer chosen.';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.is_correct IS 'Chosen answer is correct.';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.generated_tokens IS 'Tokens generated for this outcome.';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.prompt_tokens IS 'Prompt tokens processed for this outcome.';
                COMMENT ON COLUMN pipeline.outcomes_per_problem.flops IS 'Inference FLOPs for this outcome.';

                CREATE VIEW pipeline.accuracy_by_budget AS
                SELECT run_id, strategy_label, budget_n, aggregator, step_aggregation, level,
                       count(*)::int AS problems,
                       count(*) FILTER (WHERE is_correct)::int AS correct,
                       avg(is_correct::int)::double precision AS accuracy,
                       avg(generated_tokens)::double precision AS mean_generated_tokens,
                       avg(flops) AS mean_flops
                FROM pipeline.outcomes_per_problem
                GROUP BY run_id, strategy_label, budget_n, aggregator, step_aggregation, level;

                COMMENT ON VIEW pipeline.accuracy_by_budget IS 'Accuracy per run x strategy config x budget x aggregator x step aggregation x difficulty level.';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.run_id IS 'Run.';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.strategy_label IS 'Strategy with parameters, e.g. beam(M=4).';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.budget_n IS 'Generation budget n.';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.aggregator IS 'Answer aggregator (weighted, majority, naive, pass).';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.step_aggregation IS 'PRM step aggregation (last, min, prod, mean, none).';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.level IS 'Dataset difficulty level (MATH 1-5; NULL for GSM8K).';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.problems IS 'Problems with an outcome in this group.';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.correct IS 'Problems answered correctly.';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.accuracy IS 'correct / problems, in [0,1].';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.mean_generated_tokens IS 'Mean generated tokens per problem.';
                COMMENT ON COLUMN pipeline.accuracy_by_budget.mean_flops IS 'Mean inference FLOPs per problem.';

                CREATE VIEW pipeline.accuracy_overall AS
                SELECT run_id, strategy_label, budget_n, aggregator, step_aggregation,
                       count(*)::int AS problems,
                       count(*) FILTER (WHERE is_correct)::int AS correct,
                       avg(is_correct::int)::double precision AS accuracy,
                       avg(generated_tokens)::double precision AS mean_generated_tokens,
                       avg(flops) AS mean_flops
                FROM pipeline.outcomes_per_problem
                GROUP BY run_id, strategy_label, budget_n, aggregator, step_aggregation;

                COMMENT ON VIEW pipeline.accuracy_overall IS 'Accuracy per run x strategy config x budget x aggregator x step aggregation, all levels together.';
                COMMENT ON COLUMN pipeline.accuracy_overall.run_id IS 'Run.';
                COMMENT ON COLUMN pipeline.accuracy_overall.strategy_label IS 'Strategy with parameters, e.g. beam(M=4).';
                COMMENT ON COLUMN pipeline.accuracy_overall.budget_n IS 'Generation budget n.';
                COMMENT ON COLUMN pipeline.accuracy_overall.aggregator IS 'Answer aggregator (weighted, majority, naive, pass).';
                COMMENT ON COLUMN pipeline.accuracy_overall.step_aggregation IS 'PRM step aggregation (last, min, prod, mean, none).';
                COMMENT ON COLUMN pipeline.accuracy_overall.problems IS 'Problems with an outcome in this group.';
                COMMENT ON COLUMN pipeline.accuracy_overall.correct IS 'Problems answered correctly.';
                COMMENT ON COLUMN pipeline.accuracy_overall.accuracy IS 'correct / problems, in [0,1].';
                COMMENT ON COLUMN pipeline.accuracy_overall.mean_generated_tokens IS 'Mean generated tokens per problem.';
                COMMENT ON COLUMN pipeline.accuracy_overall.mean_flops IS 'Mean inference FLOPs per problem.';

                CREATE VIEW pipeline.run_progress AS
                SELECT r.run_id, r.name, r.status, r.created_at,
                       coalesce(s.searches, 0) AS searches,
                       coalesce(s.searches_done, 0) AS searches_done,
                       coalesce(s.searches_failed, 0) AS searches_failed,
                       coalesce(s.searches_running, 0) AS searches_running,
                       coalesce(t.steps, 0) AS steps,
                       coalesce(t.generated_tokens, 0) AS generated_tokens,
                       s.first_started_at, s.last_finished_at
                FROM pipeline.runs r
                LEFT JOIN (
                    SELECT run_id, count(*) AS searches,
                           count(*) FILTER (WHERE status = 'done') AS searches_done,
                           count(*) FILTER (WHERE status = 'failed') AS searches_failed,
                           count(*) FILTER (WHERE status = 'running') AS searches_running,
                           min(started_at) AS first_started_at, max(finished_at) AS last_finished_at
                    FROM pipeline.searches GROUP BY run_id) s ON s.run_id = r.run_id
                LEFT JOIN (
                    SELECT se.run_id, count(*) AS steps, sum(st.generated_tokens + st.lookahead_tokens) AS generated_tokens
                    FROM pipeline.steps st JOIN pipeline.searches se ON se.search_id = st.search_id
                    GROUP BY se.run_id) t ON t.run_id = r.run_id;

                COMMENT ON VIEW pipeline.run_progress IS 'Progress of every run: searches by status, steps stored, tokens generated.';
                COMMENT ON COLUMN pipeline.run_progress.run_id IS 'Run.';
                COMMENT ON COLUMN pipeline.run_progress.name IS 'Run name from the spec.';
                COMMENT ON COLUMN pipeline.run_progress.status IS 'Run status (submitted, running, done).';
                COMMENT ON COLUMN pipeline.run_progress.created_at IS 'When the run was submitted.';
                COMMENT ON COLUMN pipeline.run_progress.searches IS 'Searches in the run.';
                COMMENT ON COLUMN pipeline.run_progress.searches_done IS 'Searches finished with outcomes.';
                COMMENT ON COLUMN pipeline.run_progress.searches_failed IS 'Searches that failed.';
                COMMENT ON COLUMN pipeline.run_progress.searches_running IS 'Searches started and not finished.';
                COMMENT ON COLUMN pipeline.run_progress.steps IS 'Step rows stored.';
                COMMENT ON COLUMN pipeline.run_progress.generated_tokens IS 'Tokens generated (steps and lookahead rollouts).';
                COMMENT ON COLUMN pipeline.run_progress.first_started_at IS 'When the first search started.';
                COMMENT ON COLUMN pipeline.run_progress.last_finished_at IS 'When the latest search finished.';
                """);

            // Roles are cluster-wide: another database (or a concurrent test) may have created it already,
            // and a migrating user without CREATEROLE should still get the schema.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline_analyst') THEN
                        BEGIN
                            CREATE ROLE pipeline_analyst NOLOGIN;
                        EXCEPTION
                            WHEN duplicate_object OR unique_violation THEN NULL;
                            WHEN insufficient_privilege THEN
                                RAISE NOTICE 'cannot create role pipeline_analyst (no CREATEROLE); skipping the analyst grants';
                        END;
                    END IF;
                    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline_analyst') THEN
                        GRANT USAGE ON SCHEMA pipeline TO pipeline_analyst;
                        GRANT SELECT ON ALL TABLES IN SCHEMA pipeline TO pipeline_analyst;
                        ALTER DEFAULT PRIVILEGES IN SCHEMA pipeline GRANT SELECT ON TABLES TO pipeline_analyst;
                    END IF;
                END
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The role stays: other databases on the server may use it.
            migrationBuilder.Sql("""
                DROP VIEW IF EXISTS pipeline.run_progress;
                DROP VIEW IF EXISTS pipeline.accuracy_overall;
                DROP VIEW IF EXISTS pipeline.accuracy_by_budget;
                DROP VIEW IF EXISTS pipeline.outcomes_per_problem;
                DO $$
                BEGIN
                    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline_analyst') THEN
                        ALTER DEFAULT PRIVILEGES IN SCHEMA pipeline REVOKE SELECT ON TABLES FROM pipeline_analyst;
                        REVOKE SELECT ON ALL TABLES IN SCHEMA pipeline FROM pipeline_analyst;
                        REVOKE USAGE ON SCHEMA pipeline FROM pipeline_analyst;
                    END IF;
                END
                $$;
                """);
        }
    }
}
