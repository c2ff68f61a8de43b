CREATE INDEX "users_domain_username_prefix" ON "users" USING btree ("domain_id",lower("username") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "users_domain_email_prefix" ON "users" USING btree ("domain_id",lower("email") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "users_domain_display_name_prefix" ON "users" USING btree ("domain_id",lower("display_name") text_pattern_ops);