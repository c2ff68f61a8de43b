CREATE INDEX "smtp_servers_name_prefix" ON "smtp_servers" USING btree (lower("name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "applications_name_prefix" ON "applications" USING btree (lower("name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "domains_name_prefix" ON "domains" USING btree (lower("name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "domains_list_key" ON "domains" USING btree (((case when "is_test" then '0' else '1' end) || lower("name")));--> statement-breakpoint
CREATE INDEX "otp_generators_name_prefix" ON "otp_generators" USING btree (lower("name") text_pattern_ops);