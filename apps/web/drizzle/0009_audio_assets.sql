CREATE TABLE "asset_chunks" (
	"blob_id" text NOT NULL,
	"start" bigint NOT NULL,
	"length" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "asset_chunks_blob_id_start_pk" PRIMARY KEY("blob_id","start")
);
--> statement-breakpoint
CREATE TABLE "asset_peaks" (
	"project_id" text NOT NULL,
	"sha256" text NOT NULL,
	"data" "bytea" NOT NULL,
	"digest" text NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "asset_peaks_project_id_sha256_pk" PRIMARY KEY("project_id","sha256")
);
--> statement-breakpoint
CREATE TABLE "asset_uploads" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"uploader_id" text NOT NULL,
	"sha256" text NOT NULL,
	"file_name" text NOT NULL,
	"length" bigint NOT NULL,
	"offset" bigint DEFAULT 0 NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "assets" (
	"sha256" text PRIMARY KEY NOT NULL,
	"blob_id" text NOT NULL,
	"byte_length" bigint NOT NULL,
	"format" text NOT NULL,
	"mime_type" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assets_blob_id_unique" UNIQUE("blob_id")
);
--> statement-breakpoint
CREATE TABLE "project_assets" (
	"project_id" text NOT NULL,
	"sha256" text NOT NULL,
	"file_name" text NOT NULL,
	"uploaded_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "project_assets_project_id_sha256_pk" PRIMARY KEY("project_id","sha256")
);
--> statement-breakpoint
ALTER TABLE "asset_peaks" ADD CONSTRAINT "asset_peaks_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "asset_peaks" ADD CONSTRAINT "asset_peaks_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "asset_uploads" ADD CONSTRAINT "asset_uploads_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "asset_uploads" ADD CONSTRAINT "asset_uploads_uploader_id_users_id_fk" FOREIGN KEY ("uploader_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assets" ADD CONSTRAINT "assets_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_assets" ADD CONSTRAINT "project_assets_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_assets" ADD CONSTRAINT "project_assets_sha256_assets_sha256_fk" FOREIGN KEY ("sha256") REFERENCES "public"."assets"("sha256") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_assets" ADD CONSTRAINT "project_assets_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "asset_uploads_project_idx" ON "asset_uploads" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "asset_uploads_updated_idx" ON "asset_uploads" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "project_assets_sha256_idx" ON "project_assets" USING btree ("sha256");--> statement-breakpoint
-- Audio is already compressed or noise-like: skip PostgreSQL's attempt to compress each chunk (TOAST stores it out of line as it is).
ALTER TABLE "asset_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;