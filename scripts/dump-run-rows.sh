#!/usr/bin/env bash
# Dumps the rows a run leaves (runs, searches, search_rounds, steps, outcomes) in a stable order, without
# what legitimately differs between two runs of the same spec (run and search ids, timestamps), so two
# databases that ran the same spec with the same seed can be compared with diff.
#   scripts/dump-run-rows.sh DATABASE > rows.tsv
# Reads the server from ConnectionStrings__Pipeline (eval "$(scripts/services.sh env)"); DATABASE wins
# over its Database=. Searches are keyed by (problem unique_id, strategy_label, budget).
set -euo pipefail
DB=${1:?usage: scripts/dump-run-rows.sh DATABASE}
cs=${ConnectionStrings__Pipeline:?set ConnectionStrings__Pipeline (eval "\$(scripts/services.sh env)")}
kv() { printf %s "$cs" | tr ';' '\n' | sed -n "s/^$1=//Ip" | head -1; }
export PGHOST=$(kv Host) PGPORT=$(kv Port) PGUSER=$(kv Username) PGPASSWORD=$(kv Password) PGDATABASE=$DB
q() { echo "## $1"; psql -X -q -A -F $'\t' -v ON_ERROR_STOP=1 -P footer=off -c "$2"; }

q runs "SELECT name, status, policy_model, prm_model, revision_model, policy_parameters, prm_parameters,
               temperature, top_p, max_new_tokens, max_steps, seed
        FROM pipeline.runs ORDER BY name"
key="p.unique_id, s.strategy_label, s.budget"
from="pipeline.searches s JOIN pipeline.problems p ON p.problem_id = s.problem_id"
q searches "SELECT $key, s.strategy, s.beam_width, s.beam_width_is_sqrt, s.lookahead, s.chain_length, s.filter_duplicates,
                   s.max_rounds, s.status, s.current_round
            FROM $from ORDER BY $key"
q search_rounds "SELECT $key, r.round, r.candidates, r.generated_tokens
                 FROM pipeline.search_rounds r JOIN $from ON s.search_id = r.search_id ORDER BY $key, r.round"
q steps "SELECT $key, st.node_id, st.parent_node_id, st.depth, st.round, st.request_index, st.sample_index,
                st.step_index, st.prompt_tokens, st.generated_tokens, st.lookahead_tokens, st.prm_score,
                st.lookahead_score, st.terminal, st.finish_reason, st.extracted_answer, st.is_correct, md5(st.text)
         FROM pipeline.steps st JOIN $from ON s.search_id = st.search_id ORDER BY $key, st.node_id"
q outcomes "SELECT $key, o.budget_n, o.aggregator, o.step_aggregation, o.chosen_answer, o.is_correct,
                   o.generated_tokens, o.prompt_tokens, o.flops
            FROM pipeline.outcomes o JOIN $from ON s.search_id = o.search_id
            ORDER BY $key, o.budget_n, o.aggregator, o.step_aggregation"
