CREATE TABLE "admin_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"admin_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "admins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"email" text,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"password_changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text,
	"action" text NOT NULL,
	"outcome" text DEFAULT 'ok' NOT NULL,
	"ip" text,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "login_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_failure_at" timestamp with time zone DEFAULT now() NOT NULL,
	"blocked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "recovery_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"admin_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "password_reset_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"admin_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "site_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"smtp_enabled" boolean DEFAULT false NOT NULL,
	"smtp_server_id" uuid,
	"ui_admin_id" uuid,
	"ui_support_id" uuid,
	"alert_email" text,
	"default_recipients" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"site_url" text,
	"untested_since" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "smtp_servers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"host" text NOT NULL,
	"port" integer NOT NULL,
	"security" text NOT NULL,
	"auth" text DEFAULT 'none' NOT NULL,
	"username" text,
	"password_sealed" text,
	"tenant_id" text,
	"client_id" text,
	"client_secret_sealed" text,
	"client_secret_expires_on" date,
	"mailbox" text,
	"cloud" text DEFAULT 'global' NOT NULL,
	"from_address" text NOT NULL,
	"from_name" text,
	"verify_tls" boolean DEFAULT true NOT NULL,
	"ca_pem" text,
	"timeout_seconds" integer DEFAULT 15 NOT NULL,
	"last_test_at" timestamp with time zone,
	"last_test_ok" boolean,
	"last_test_summary" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "smtp_servers_port" CHECK ("smtp_servers"."port" between 1 and 65535),
	CONSTRAINT "smtp_servers_timeout" CHECK ("smtp_servers"."timeout_seconds" between 1 and 120),
	CONSTRAINT "smtp_servers_security" CHECK ("smtp_servers"."security" in ('none', 'starttls', 'tls')),
	CONSTRAINT "smtp_servers_auth" CHECK ("smtp_servers"."auth" in ('none', 'basic', 'microsoft')),
	CONSTRAINT "smtp_servers_cloud" CHECK ("smtp_servers"."cloud" in ('global', 'usgov', 'usgovdod', 'china'))
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "domains" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"is_test" boolean DEFAULT false NOT NULL,
	"otp_generator_id" uuid,
	"email_attribute" text NOT NULL,
	"ldap_url" text,
	"ldap_start_tls" boolean DEFAULT false NOT NULL,
	"ldap_ca_pem" text,
	"ldap_bind_dn" text,
	"ldap_bind_password_sealed" text,
	"ldap_base_dn" text,
	"ldap_user_filter" text,
	"ldap_timeout_seconds" integer DEFAULT 10 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "domains_kind" CHECK ("domains"."kind" in ('local', 'ldap')),
	CONSTRAINT "domains_ldap_timeout" CHECK ("domains"."ldap_timeout_seconds" between 1 and 60)
);
--> statement-breakpoint
CREATE TABLE "launches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"domain_id" uuid,
	"domain_name" text NOT NULL,
	"username" text NOT NULL,
	"application_id" uuid,
	"application_name" text NOT NULL,
	"url" text NOT NULL,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "otp_challenges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"purpose" text DEFAULT 'login' NOT NULL,
	"login_id" uuid,
	"domain_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"code_hash" text NOT NULL,
	"sent_to" text NOT NULL,
	"ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"consumed_at" timestamp with time zone,
	"superseded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "otp_generators" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"smtp_server_id" uuid,
	"sender" text,
	"code_length" integer DEFAULT 6 NOT NULL,
	"validity_seconds" integer DEFAULT 300 NOT NULL,
	"issuer" text,
	"algorithm" text DEFAULT 'sha1' NOT NULL,
	"digits" integer DEFAULT 6 NOT NULL,
	"period" integer DEFAULT 30 NOT NULL,
	"show_qr" boolean DEFAULT true NOT NULL,
	"send_key_by_email" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "otp_generators_type" CHECK ("otp_generators"."type" in ('email', 'totp')),
	CONSTRAINT "otp_generators_code_length" CHECK ("otp_generators"."code_length" between 6 and 8),
	CONSTRAINT "otp_generators_validity" CHECK ("otp_generators"."validity_seconds" between 60 and 600),
	CONSTRAINT "otp_generators_algorithm" CHECK ("otp_generators"."algorithm" in ('sha1', 'sha256', 'sha512')),
	CONSTRAINT "otp_generators_digits" CHECK ("otp_generators"."digits" in (6, 8)),
	CONSTRAINT "otp_generators_period" CHECK ("otp_generators"."period" in (30, 60))
);
--> statement-breakpoint
CREATE TABLE "totp_enrollments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"username" text NOT NULL,
	"secret_sealed" text NOT NULL,
	"algorithm" text NOT NULL,
	"digits" integer NOT NULL,
	"period" integer NOT NULL,
	"confirmed_at" timestamp with time zone,
	"last_used_step" bigint,
	"key_mailed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"stage" text NOT NULL,
	"factor" text NOT NULL,
	"domain_id" uuid NOT NULL,
	"user_id" uuid,
	"subject" text NOT NULL,
	"username" text NOT NULL,
	"display_name" text DEFAULT '' NOT NULL,
	"email" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"ip" text,
	"user_agent" text,
	CONSTRAINT "user_sessions_stage" CHECK ("user_sessions"."stage" in ('password-ok', 'complete')),
	CONSTRAINT "user_sessions_factor" CHECK ("user_sessions"."factor" in ('none', 'email-otp', 'totp'))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain_id" uuid NOT NULL,
	"username" text NOT NULL,
	"display_name" text DEFAULT '' NOT NULL,
	"email" text,
	"password_hash" text NOT NULL,
	"disabled_at" timestamp with time zone,
	"password_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "admin_sessions" ADD CONSTRAINT "admin_sessions_admin_id_admins_id_fk" FOREIGN KEY ("admin_id") REFERENCES "public"."admins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recovery_codes" ADD CONSTRAINT "recovery_codes_admin_id_admins_id_fk" FOREIGN KEY ("admin_id") REFERENCES "public"."admins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_reset_tokens" ADD CONSTRAINT "password_reset_tokens_admin_id_admins_id_fk" FOREIGN KEY ("admin_id") REFERENCES "public"."admins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_settings" ADD CONSTRAINT "site_settings_ui_admin_id_admins_id_fk" FOREIGN KEY ("ui_admin_id") REFERENCES "public"."admins"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_settings" ADD CONSTRAINT "site_settings_ui_support_id_admins_id_fk" FOREIGN KEY ("ui_support_id") REFERENCES "public"."admins"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domains" ADD CONSTRAINT "domains_otp_generator_id_otp_generators_id_fk" FOREIGN KEY ("otp_generator_id") REFERENCES "public"."otp_generators"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "launches" ADD CONSTRAINT "launches_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "launches" ADD CONSTRAINT "launches_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "otp_challenges" ADD CONSTRAINT "otp_challenges_login_id_user_sessions_id_fk" FOREIGN KEY ("login_id") REFERENCES "public"."user_sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "otp_challenges" ADD CONSTRAINT "otp_challenges_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "otp_generators" ADD CONSTRAINT "otp_generators_smtp_server_id_smtp_servers_id_fk" FOREIGN KEY ("smtp_server_id") REFERENCES "public"."smtp_servers"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "totp_enrollments" ADD CONSTRAINT "totp_enrollments_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_sessions_admin" ON "admin_sessions" USING btree ("admin_id");--> statement-breakpoint
CREATE UNIQUE INDEX "admins_username_lower" ON "admins" USING btree (lower("username"));--> statement-breakpoint
CREATE INDEX "audit_log_at" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "recovery_codes_admin" ON "recovery_codes" USING btree ("admin_id");--> statement-breakpoint
CREATE UNIQUE INDEX "smtp_servers_name_lower" ON "smtp_servers" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "applications_name_lower" ON "applications" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "domains_name_lower" ON "domains" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "launches_at" ON "launches" USING btree ("at");--> statement-breakpoint
CREATE INDEX "otp_challenges_login" ON "otp_challenges" USING btree ("login_id");--> statement-breakpoint
CREATE INDEX "otp_challenges_subject" ON "otp_challenges" USING btree ("domain_id","subject","created_at");--> statement-breakpoint
CREATE INDEX "otp_challenges_ip" ON "otp_challenges" USING btree ("ip","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "otp_generators_name_lower" ON "otp_generators" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "totp_enrollments_subject" ON "totp_enrollments" USING btree ("domain_id","subject");--> statement-breakpoint
CREATE UNIQUE INDEX "user_sessions_token_hash" ON "user_sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "user_sessions_subject" ON "user_sessions" USING btree ("domain_id","subject");--> statement-breakpoint
CREATE UNIQUE INDEX "users_domain_username_lower" ON "users" USING btree ("domain_id",lower("username"));