CREATE TABLE "document_log_heads" (
	"project_id" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL
);
