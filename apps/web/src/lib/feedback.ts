/**
 * ElMessage and ElMessageBox are called as functions, so the on-demand resolver (which only sees
 * component tags in templates) never adds their styles: without these imports a confirmation box
 * renders as unstyled text at the bottom of the page. Import them from here, not 'element-plus'.
 */
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';

export { ElMessage, ElMessageBox } from 'element-plus';
