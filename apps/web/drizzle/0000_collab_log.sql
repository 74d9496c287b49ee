CREATE TABLE "document_snapshots" (
	"project_id" text NOT NULL,
	"up_to_seq" bigint NOT NULL,
	"state" "bytea" NOT NULL,
	"byte_length" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_snapshots_project_id_up_to_seq_pk" PRIMARY KEY("project_id","up_to_seq")
);
--> statement-breakpoint
CREATE TABLE "document_updates" (
	"project_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"update" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_updates_project_id_seq_pk" PRIMARY KEY("project_id","seq")
);
