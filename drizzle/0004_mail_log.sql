CREATE TABLE "smtp_test_outcomes" (
	"fingerprint" text PRIMARY KEY NOT NULL,
	"tested_at" timestamp with time zone NOT NULL,
	"ok" boolean NOT NULL,
	"summary" jsonb NOT NULL
);
--> statement-breakpoint
DROP INDEX "mail_outbox_server_idx";--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "origin" jsonb;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "resent_from" uuid;--> statement-breakpoint
CREATE INDEX "mail_outbox_recipients_idx" ON "mail_outbox" USING gin ("recipients");--> statement-breakpoint
CREATE INDEX "mail_outbox_server_idx" ON "mail_outbox" USING btree ("server_id","status","created_at" DESC NULLS LAST);