CREATE TABLE "plugin_versions" (
	"plugin_id" text NOT NULL,
	"version" text NOT NULL,
	"manifest" jsonb NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"capabilities" jsonb NOT NULL,
	"licence" text NOT NULL,
	"archive" "bytea" NOT NULL,
	"archive_bytes" integer NOT NULL,
	"archive_sha256" text NOT NULL,
	"bundle_sha256" text NOT NULL,
	"published_by" text,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"yanked_at" timestamp with time zone,
	"yank_reason" text,
	CONSTRAINT "plugin_versions_plugin_id_version_pk" PRIMARY KEY("plugin_id","version")
);
--> statement-breakpoint
CREATE TABLE "plugins" (
	"id" text PRIMARY KEY NOT NULL,
	"publisher_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "project_plugins" (
	"project_id" text NOT NULL,
	"plugin_id" text NOT NULL,
	"version" text NOT NULL,
	"installed_by" text,
	"installed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "project_plugins_project_id_plugin_id_pk" PRIMARY KEY("project_id","plugin_id")
);
--> statement-breakpoint
CREATE TABLE "publisher_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"publisher_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "publisher_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "publishers" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "publishers_user_id_unique" UNIQUE("user_id"),
	CONSTRAINT "publishers_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "plugin_versions" ADD CONSTRAINT "plugin_versions_plugin_id_plugins_id_fk" FOREIGN KEY ("plugin_id") REFERENCES "public"."plugins"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plugin_versions" ADD CONSTRAINT "plugin_versions_published_by_users_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plugins" ADD CONSTRAINT "plugins_publisher_id_publishers_id_fk" FOREIGN KEY ("publisher_id") REFERENCES "public"."publishers"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_plugins" ADD CONSTRAINT "project_plugins_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_plugins" ADD CONSTRAINT "project_plugins_installed_by_users_id_fk" FOREIGN KEY ("installed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_plugins" ADD CONSTRAINT "project_plugins_version_fk" FOREIGN KEY ("plugin_id","version") REFERENCES "public"."plugin_versions"("plugin_id","version") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publisher_tokens" ADD CONSTRAINT "publisher_tokens_publisher_id_publishers_id_fk" FOREIGN KEY ("publisher_id") REFERENCES "public"."publishers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publishers" ADD CONSTRAINT "publishers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "plugin_versions_kind_idx" ON "plugin_versions" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "plugins_publisher_idx" ON "plugins" USING btree ("publisher_id");--> statement-breakpoint
CREATE INDEX "project_plugins_plugin_idx" ON "project_plugins" USING btree ("plugin_id","version");--> statement-breakpoint
CREATE INDEX "publisher_tokens_publisher_idx" ON "publisher_tokens" USING btree ("publisher_id");