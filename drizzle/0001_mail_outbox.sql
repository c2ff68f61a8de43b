CREATE TABLE "mail_outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"server_id" uuid,
	"server_name" text NOT NULL,
	"from_address" text NOT NULL,
	"from_name" text,
	"recipients" text[] NOT NULL,
	"subject" text NOT NULL,
	"body_sealed" text,
	"carries_secret" boolean NOT NULL,
	"message_id" text NOT NULL,
	"dedupe_key" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"job_id" uuid,
	"last_reply" text,
	"last_code" text,
	"diagnosis" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "mail_outbox_message_id_unique" UNIQUE("message_id"),
	CONSTRAINT "mail_outbox_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE INDEX "mail_outbox_created_idx" ON "mail_outbox" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "mail_outbox_status_idx" ON "mail_outbox" USING btree ("status","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "mail_outbox_kind_idx" ON "mail_outbox" USING btree ("kind","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "mail_outbox_server_idx" ON "mail_outbox" USING btree ("server_id","status");--> statement-breakpoint
CREATE INDEX "mail_outbox_unfinished_idx" ON "mail_outbox" USING btree ("updated_at") WHERE "mail_outbox"."status" in ('queued', 'sending', 'retrying');