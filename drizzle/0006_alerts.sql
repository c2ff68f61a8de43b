CREATE TABLE "alert_episodes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"type" text NOT NULL,
	"key" text NOT NULL,
	"about" text NOT NULL,
	"facts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"level" integer DEFAULT 0 NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"fired_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"notified_at" timestamp with time zone,
	"notifications" integer DEFAULT 0 NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_notified" boolean DEFAULT false NOT NULL,
	"recipients" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"test" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_rules" (
	"type" text PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"recipients_mode" text DEFAULT 'default' NOT NULL,
	"custom_recipients" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"health_interval_minutes" integer DEFAULT 5 NOT NULL,
	"repeat_hours" integer DEFAULT 6 NOT NULL,
	"backlog_threshold" integer DEFAULT 100 NOT NULL,
	"backlog_minutes" integer DEFAULT 15 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "smtp_health" (
	"server_id" uuid PRIMARY KEY NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	"ok" boolean NOT NULL,
	"summary" text NOT NULL,
	"fix" text
);
--> statement-breakpoint
ALTER TABLE "smtp_health" ADD CONSTRAINT "smtp_health_server_id_smtp_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."smtp_servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_episodes_open" ON "alert_episodes" USING btree ("type","key") WHERE "alert_episodes"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "alert_episodes_fired" ON "alert_episodes" USING btree ("fired_at","id");--> statement-breakpoint
CREATE INDEX "mail_outbox_alert_idx" ON "mail_outbox" USING btree (("origin" ->> 'alertId')) WHERE "mail_outbox"."origin" ->> 'alertId' is not null;