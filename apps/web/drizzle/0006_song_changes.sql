CREATE TABLE "song_changes" (
	"project_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"author_id" text,
	"changes" jsonb NOT NULL,
	CONSTRAINT "song_changes_project_id_seq_pk" PRIMARY KEY("project_id","seq")
);
--> statement-breakpoint
CREATE TABLE "song_visits" (
	"project_id" text NOT NULL,
	"user_id" text NOT NULL,
	"seen_seq" bigint NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "song_visits_project_id_user_id_pk" PRIMARY KEY("project_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "document_updates" ADD COLUMN "author_id" text;