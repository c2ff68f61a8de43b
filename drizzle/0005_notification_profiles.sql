CREATE TABLE "notification_pending_launches" (
	"profile_id" uuid NOT NULL,
	"launch_id" uuid NOT NULL,
	CONSTRAINT "notification_pending_launches_profile_id_launch_id_pk" PRIMARY KEY("profile_id","launch_id")
);
--> statement-breakpoint
CREATE TABLE "notification_profile_applications" (
	"profile_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"application_name" text NOT NULL,
	CONSTRAINT "notification_profile_applications_profile_id_application_id_pk" PRIMARY KEY("profile_id","application_id")
);
--> statement-breakpoint
CREATE TABLE "notification_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"smtp_server_id" uuid,
	"recipients" text[] NOT NULL,
	"all_applications" boolean DEFAULT false NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"grouping_minutes" integer DEFAULT 0 NOT NULL,
	"subject_template" text NOT NULL,
	"body_template" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_windows" (
	"profile_id" uuid PRIMARY KEY NOT NULL,
	"due_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "site_settings" ADD COLUMN "time_zone" text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "launches" ADD COLUMN "notify_pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_pending_launches" ADD CONSTRAINT "notification_pending_launches_profile_id_notification_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."notification_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_pending_launches" ADD CONSTRAINT "notification_pending_launches_launch_id_launches_id_fk" FOREIGN KEY ("launch_id") REFERENCES "public"."launches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_profile_applications" ADD CONSTRAINT "notification_profile_applications_profile_id_notification_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."notification_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_profiles" ADD CONSTRAINT "notification_profiles_smtp_server_id_smtp_servers_id_fk" FOREIGN KEY ("smtp_server_id") REFERENCES "public"."smtp_servers"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_windows" ADD CONSTRAINT "notification_windows_profile_id_notification_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."notification_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notification_profile_applications_app" ON "notification_profile_applications" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_profiles_name_lower" ON "notification_profiles" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "launches_notify_pending" ON "launches" USING btree ("at") WHERE "launches"."notify_pending";--> statement-breakpoint
CREATE INDEX "mail_outbox_profile_idx" ON "mail_outbox" USING btree (("origin" ->> 'profileId'),"created_at" DESC NULLS LAST) WHERE "mail_outbox"."origin" ->> 'profileId' is not null;