-- Pipeline.Search.Analysis.ComputeMath.FlopsMatchedMultiplier in SQL. Total FLOPs = 6 N D_pretrain + 2 N D_inference;
-- equal totals give the small model M + 3 (M P - 1) / R times the large model's inference tokens.
CREATE FUNCTION pipeline.flops_matched_multiplier(parameter_ratio double precision, pretraining_token_ratio double precision, inference_to_pretraining double precision)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF NOT parameter_ratio > 0 THEN RAISE EXCEPTION 'parameter ratio M must be > 0, got %', parameter_ratio; END IF;
    IF NOT pretraining_token_ratio > 0 THEN RAISE EXCEPTION 'pretraining token ratio must be > 0, got %', pretraining_token_ratio; END IF;
    IF NOT inference_to_pretraining > 0 THEN RAISE EXCEPTION 'R = D_inference / D_pretrain must be > 0, got %', inference_to_pretraining; END IF;
    RETURN parameter_ratio + 3 * (parameter_ratio * pretraining_token_ratio - 1) / inference_to_pretraining;
END $$;

COMMENT ON FUNCTION pipeline.flops_matched_multiplier(double precision, double precision, double precision) IS 'Times the large model''s inference tokens the small model may spend at equal total FLOPs: M + 3 (M P - 1) / R (M = parameter ratio, P = pretraining token ratio large/small, R = D_inference / D_pretrain of the small model).';
