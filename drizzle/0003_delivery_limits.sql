CREATE TABLE "smtp_delivery_gates" (
	"server_id" uuid PRIMARY KEY NOT NULL,
	"paused_until" timestamp with time zone,
	"pause_reason" text,
	"minute_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"messages_this_minute" integer DEFAULT 0 NOT NULL,
	"day_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recipients_today" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "smtp_servers" ADD COLUMN "max_connections" integer;--> statement-breakpoint
ALTER TABLE "smtp_servers" ADD COLUMN "messages_per_minute" integer;--> statement-breakpoint
ALTER TABLE "smtp_servers" ADD COLUMN "recipients_per_day" integer;--> statement-breakpoint
ALTER TABLE "smtp_servers" ADD CONSTRAINT "smtp_servers_max_connections" CHECK ("smtp_servers"."max_connections" between 1 and 50);--> statement-breakpoint
ALTER TABLE "smtp_servers" ADD CONSTRAINT "smtp_servers_messages_per_minute" CHECK ("smtp_servers"."messages_per_minute" between 1 and 100000);--> statement-breakpoint
ALTER TABLE "smtp_servers" ADD CONSTRAINT "smtp_servers_recipients_per_day" CHECK ("smtp_servers"."recipients_per_day" between 1 and 10000000);