ALTER TABLE "otp_generators" ADD COLUMN "fallback_smtp_server_id" uuid;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "fallback_server_id" uuid;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "failed_over_from" text;--> statement-breakpoint
ALTER TABLE "otp_generators" ADD CONSTRAINT "otp_generators_fallback_smtp_server_id_smtp_servers_id_fk" FOREIGN KEY ("fallback_smtp_server_id") REFERENCES "public"."smtp_servers"("id") ON DELETE restrict ON UPDATE no action;