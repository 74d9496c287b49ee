ALTER TABLE "plugin_ratings" DROP CONSTRAINT "plugin_ratings_plugin_id_plugins_id_fk";
--> statement-breakpoint
ALTER TABLE "ai_decisions" ADD COLUMN "dismissed" integer;--> statement-breakpoint
ALTER TABLE "ai_runs" ADD COLUMN "proposal_id" text;--> statement-breakpoint
ALTER TABLE "ai_runs" ADD COLUMN "variation_ids" jsonb;--> statement-breakpoint
CREATE INDEX "ai_runs_proposal_idx" ON "ai_runs" USING btree ("project_id","proposal_id");