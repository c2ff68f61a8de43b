/**
 * A notification profile's mail: one launch, or a digest of the launches inside its grouping window. The
 * subject and body are the profile's own templates; the rendering is shared with the editor's live preview
 * (notification-template.ts), so what the admin previews is what is sent.
 */
export {
	renderLaunchMail as launchNotificationMail,
	renderDigestMail as launchDigestMail,
	type ProfileTemplates
} from '../../../notification-template.js';
