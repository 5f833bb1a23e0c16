-- The read-only role analysts log in through (GRANT pipeline_analyst TO someone). Roles are cluster-wide:
-- another database (or a concurrent test) may have created it already, and a migrating user without
-- CREATEROLE should still get the schema.
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
